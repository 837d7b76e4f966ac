// Writes keys into a real etcd through the etcd3 client, as fast as it goes.
import { Etcd3 } from 'etcd3';

export const connectEtcd = (endpoint: string): Etcd3 => new Etcd3({ hosts: endpoint });

/** Puts every key, a few at a time. */
export const putAll = async (client: Etcd3, keys: ReadonlyMap<string, string>): Promise<void> => {
  const entries = [...keys];
  const width = 16;
  for (let i = 0; i < entries.length; i += width) {
    await Promise.all(entries.slice(i, i + width).map(([k, v]) => client.put(k).value(v)));
  }
};
