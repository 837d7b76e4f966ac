// Where bench:fleet's simulated hosts read and report: shared by the
// coordinator (bench/fleet.ts) and the host processes (bench/fleet-host.ts).

/** The resource prefix; each host reads FLEET_PREFIX + FLEET_KEY_DIR. */
export const FLEET_PREFIX = '/fleet/app';
export const FLEET_KEY_DIR = '/value';
export const FLEET_KEY = `${FLEET_PREFIX}${FLEET_KEY_DIR}`;
export const FLEET_REPORT_PREFIX = '/fleet-report';
export const FLEET_REPORT_TTL = '15s';

export const fleetHostId = (i: number): string => `sim-${String(i).padStart(3, '0')}`;
