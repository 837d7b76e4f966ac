// Decoding HPACK's Huffman code (RFC 7541, section 5.2) with a binary tree
// built at first use from the code table.
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './huffman-table.js';

/** A header string whose Huffman code is not valid (RFC 7541 calls it a decoding error). */
export class HuffmanError extends Error {
  override readonly name = 'HuffmanError';
}

// Node i has children tree[2i] (bit 0) and tree[2i + 1] (bit 1): a positive
// number is the next node, a negative one -(octet + 1) a leaf, 0 no code.
let tree: Int32Array | undefined;

const buildTree = (): Int32Array => {
  const nodes = new Int32Array(2 * 256);
  let next = 1;
  for (let octet = 0; octet < 256; octet++) {
    const code = HUFFMAN_CODES[octet] as number;
    const length = HUFFMAN_LENGTHS[octet] as number;
    let node = 0;
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = 2 * node + ((code >>> bit) & 1);
      if (nodes[slot] === 0) nodes[slot] = next++;
      node = nodes[slot] as number;
    }
    nodes[2 * node + (code & 1)] = -(octet + 1);
  }
  return nodes;
};

/** The octets that `bytes[start, end)` encode. */
export const decodeHuffman = (bytes: Uint8Array, start: number, end: number): Buffer => {
  tree ??= buildTree();
  const out = Buffer.allocUnsafe(Math.ceil(((end - start) * 8) / 5));
  let length = 0;
  let node = 0;
  // Bits read since the last whole octet, and whether they were all ones: only such a prefix of the end-of-string code may pad.
  let pending = 0;
  let allOnes = true;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >>> bit) & 1;
      const child = tree[2 * node + one] as number;
      if (child === 0) throw new HuffmanError('a Huffman-coded header string holds the end-of-string code or a code that does not exist');
      pending++;
      allOnes &&= one === 1;
      if (child < 0) {
        out[length++] = -child - 1;
        node = 0;
        pending = 0;
        allOnes = true;
      } else {
        node = child;
      }
    }
  }
  if (pending > 7 || !allOnes) throw new HuffmanError('a Huffman-coded header string ends in padding that is not a prefix of the end-of-string code');
  return out.subarray(0, length);
};
