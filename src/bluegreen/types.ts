// The two colors of a blue/green application and the keys that describe it.

export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];

export const isColor = (value: unknown): value is Color => value === 'blue' || value === 'green';

export const otherColor = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');

/** What the store says about one application. */
export interface AppState {
  /** The color the proxy should serve; undefined before the first switch. */
  live?: Color;
  /** The color that was live before the last switch (for rollback). */
  previous?: Color;
  /** host:port of each color, when set. */
  addr: Record<Color, string | undefined>;
  /** The path GET-ed on a color's addr to ask whether it is healthy. */
  healthPath: string;
}

export const DEFAULT_HEALTH_PATH = '/health';
