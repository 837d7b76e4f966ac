// HTTP/2 frames (RFC 9113, section 4): a 9-octet header (length, type,
// flags, stream) and a payload; what a client of unary requests reads and
// writes.

export const FRAME = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export const SETTING = { HEADER_TABLE_SIZE: 0x1, ENABLE_PUSH: 0x2, MAX_CONCURRENT_STREAMS: 0x3, INITIAL_WINDOW_SIZE: 0x4, MAX_FRAME_SIZE: 0x5 } as const;

/** The largest frame payload either side may send until told otherwise. */
export const DEFAULT_MAX_FRAME = 16_384;
/** Every flow-control window's size until SETTINGS or WINDOW_UPDATE change it. */
export const DEFAULT_WINDOW = 65_535;
export const MAX_WINDOW = 2 ** 31 - 1;

/** What a client sends first on every connection. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const ERROR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR',
  'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

export const ERROR_CODE = { NO_ERROR: 0x0, PROTOCOL_ERROR: 0x1, FLOW_CONTROL_ERROR: 0x3, FRAME_SIZE_ERROR: 0x6, CANCEL: 0x8, COMPRESSION_ERROR: 0x9 } as const;

/** An HTTP/2 error code by its name (RFC 9113, section 7). */
export const errorName = (code: number): string => ERROR_NAMES[code] ?? `error code 0x${code.toString(16)}`;

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

/** One frame's octets. */
export const encodeFrame = (type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer => {
  const out = Buffer.allocUnsafe(9 + payload.length);
  out.writeUIntBE(payload.length, 0, 3);
  out[3] = type;
  out[4] = flags;
  out.writeUInt32BE(stream & 0x7fffffff, 5);
  payload.copy(out, 9);
  return out;
};

/** A SETTINGS frame's payload: each setting an identifier and a value. */
export const encodeSettings = (settings: readonly (readonly [number, number])[]): Buffer => {
  const out = Buffer.allocUnsafe(6 * settings.length);
  settings.forEach(([id, value], i) => {
    out.writeUInt16BE(id, 6 * i);
    out.writeUInt32BE(value, 6 * i + 2);
  });
  return out;
};

export const encodeWindowUpdate = (stream: number, increment: number): Buffer => {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(increment, 0);
  return encodeFrame(FRAME.WINDOW_UPDATE, 0, stream, payload);
};

export const encodeRstStream = (stream: number, code: number): Buffer => {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(code, 0);
  return encodeFrame(FRAME.RST_STREAM, 0, stream, payload);
};

/** A frame larger than the receiver allows (FRAME_SIZE_ERROR). */
export class FrameSizeError extends Error {
  override readonly name = 'FrameSizeError';
}

/** Cuts the octets of a connection into frames, however the reads split them. */
export class FrameReader {
  private rest: Buffer | undefined;

  constructor(private readonly maxPayload: number) {}

  /** The whole frames `chunk` completes; a partial one waits for the next chunk. */
  push(chunk: Buffer): Frame[] {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const frames: Frame[] = [];
    let at = 0;
    while (data.length - at >= 9) {
      const length = data.readUIntBE(at, 3);
      if (length > this.maxPayload) throw new FrameSizeError(`a frame of ${length} octets, above the ${this.maxPayload} allowed`);
      if (data.length - at < 9 + length) break;
      frames.push({ type: data[at + 3] as number, flags: data[at + 4] as number, stream: data.readUInt32BE(at + 5) & 0x7fffffff, payload: data.subarray(at + 9, at + 9 + length) });
      at += 9 + length;
    }
    this.rest = at < data.length ? data.subarray(at) : undefined;
    return frames;
  }
}

/** A DATA or HEADERS payload without its padding (and, for HEADERS, the priority fields); undefined when the padding is longer than the frame. */
export const unpadded = (frame: Frame): Buffer | undefined => {
  let { payload } = frame;
  let pad = 0;
  if (frame.flags & FLAG.PADDED) {
    if (payload.length < 1) return undefined;
    pad = payload[0] as number;
    payload = payload.subarray(1);
  }
  if (frame.type === FRAME.HEADERS && frame.flags & FLAG.PRIORITY) {
    if (payload.length < 5) return undefined;
    payload = payload.subarray(5);
  }
  if (pad > payload.length) return undefined;
  return payload.subarray(0, payload.length - pad);
};
