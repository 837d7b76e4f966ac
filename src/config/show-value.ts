// A user's value inside an error message: quoted, control characters
// escaped, and cut after SHOWN_CHARS so a megabyte of junk stays one line.

const SHOWN_CHARS = 80;

export const showValue = (value: unknown): string => {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text;
  return JSON.stringify(cut);
};
