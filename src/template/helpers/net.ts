// Helpers whose answers need I/O: DNS lookups and catalog services. Helpers
// are synchronous, so each records what it could not answer and returns an
// empty list; renderTemplate resolves those and renders again.
import type { ServiceInstance } from '../../backends/backend.js';
import { asString, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import type { HelperScope, HelperTable, LookupRequest } from '../state.js';

const answer = <T>({ state }: HelperScope, request: LookupRequest): T[] => {
  const known = state.known.lookups.get(request.id);
  if (known !== undefined) return known as T[];
  state.missingLookups.set(request.id, request);
  return [];
};

const serviceName = (value: unknown): string => {
  const name = asString(value, 'NAME');
  if (name === '') throw new HelperError('NAME must not be empty');
  return name;
};

const instances = ({ state }: HelperScope, name: string): ServiceInstance[] => {
  state.services.add(name);
  const found = state.context.service?.(name) ?? state.known.services.get(name);
  if (found) return found;
  state.missingServices.add(name);
  return [];
};

export const netHelpers: HelperTable = {
  lookupIP: (scope, args) => {
    expectArity(args, 1, 1, 'NAME');
    const name = asString(args[0], 'NAME');
    return answer<string>(scope, { id: `ip ${name}`, kind: 'ip', name });
  },
  lookupSRV: (scope, args) => {
    expectArity(args, 3, 3, 'SERVICE PROTO NAME');
    const [service, proto, name] = [asString(args[0], 'SERVICE'), asString(args[1], 'PROTO'), asString(args[2], 'NAME')];
    return answer(scope, { id: `srv ${service} ${proto} ${name}`, kind: 'srv', service, proto, name });
  },
  service: (scope, args) => {
    expectArity(args, 1, 1, 'NAME');
    return instances(scope, serviceName(args[0]));
  },
};
