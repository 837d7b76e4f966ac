// What a daemon logged of one store endpoint going down ("not answering")
// and up ("answering again"), with each line's own time: a test judges a
// fault by the lines logged while it lasted, not by the whole log (a member
// slow under the machine's load may be logged down and up before the fault).

export interface EndpointEvent {
  at: number;
  down: boolean;
}

/** `kind` as the log names it: "etcd member", "consul agent". */
export const endpointEvents = (output: string, kind: string, endpoint: string): EndpointEvent[] => {
  const name = `${kind} ${endpoint}`.replace(/[.]/g, '\\.');
  const line = new RegExp(`^(\\S+) +\\S+ +${name} (not answering|answering again)`, 'gm');
  return [...output.matchAll(line)].map((m) => ({ at: Date.parse(m[1]!), down: m[2] === 'not answering' }));
};

/** The events logged from `from` (inclusive) to `to` (exclusive), and whether the endpoint was down when the window opened. */
export const eventsWithin = (events: readonly EndpointEvent[], from: number, to: number): { during: EndpointEvent[]; downAtStart: boolean } => ({
  during: events.filter((e) => e.at >= from && e.at < to),
  downAtStart: events.filter((e) => e.at < from).at(-1)?.down === true,
});
