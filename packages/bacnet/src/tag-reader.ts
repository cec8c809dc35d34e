/**
 * A strict, non-throwing reader of BACnet ASN.1 tags (clause 20.2.1) over a bounded window of a
 * buffer. Every read checks the octets it needs are inside the window and answers `undefined` when
 * they are not, or when the tag is not the one asked for; a failed read does not move the cursor.
 * Used for what arrives from the network and the library does not decode (event values).
 */
export interface Tag {
  number: number;
  context: boolean;
  kind: "primitive" | "open" | "close";
  /** Content octets (0 for open/close tags and for an application BOOLEAN, whose value is `lvt`). */
  length: number;
  /** Octets of the tag itself (initial octet, extended tag number, extended length). */
  header: number;
  lvt: number;
}

export class TagReader {
  constructor(
    readonly buf: Buffer,
    public at: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.at >= this.end;
  }

  /** The tag at the cursor, or undefined when it is malformed or runs past the window. */
  peek(): Tag | undefined {
    const { buf, at, end } = this;
    if (at >= end) return undefined;
    const first = buf[at] ?? 0;
    let header = 1;
    let number = first >> 4;
    if (number === 15) {
      if (at + 1 >= end) return undefined;
      number = buf[at + 1] ?? 255;
      if (number === 255) return undefined;
      header = 2;
    }
    const context = (first & 0x08) !== 0;
    const lvt = first & 0x07;
    if (context && lvt === 6) return { number, context, kind: "open", length: 0, header, lvt };
    if (context && lvt === 7) return { number, context, kind: "close", length: 0, header, lvt };
    if (!context && number === 1) {
      return lvt > 1 ? undefined : { number, context, kind: "primitive", length: 0, header, lvt };
    }
    let length = lvt;
    if (lvt === 5) {
      const ext = buf[at + header];
      if (ext === undefined || at + header >= end) return undefined;
      header += 1;
      if (ext <= 253) length = ext;
      else if (ext === 254) {
        if (at + header + 2 > end) return undefined;
        length = buf.readUInt16BE(at + header);
        header += 2;
      } else {
        if (at + header + 4 > end) return undefined;
        length = buf.readUInt32BE(at + header);
        header += 4;
      }
    } else if (lvt > 5) {
      return undefined; // an application tag cannot open or close
    }
    if (at + header + length > end) return undefined;
    return { number, context, kind: "primitive", length, header, lvt };
  }

  /** Consumes opening tag [n]. */
  open(n: number): boolean {
    const t = this.peek();
    if (t?.kind !== "open" || t.number !== n) return false;
    this.at += t.header;
    return true;
  }

  close(n: number): boolean {
    const t = this.peek();
    if (t?.kind !== "close" || t.number !== n) return false;
    this.at += t.header;
    return true;
  }

  isOpen(n: number): boolean {
    const t = this.peek();
    return t?.kind === "open" && t.number === n;
  }

  isClosing(n: number): boolean {
    const t = this.peek();
    return t?.kind === "close" && t.number === n;
  }

  isContext(n: number): boolean {
    const t = this.peek();
    return t?.kind === "primitive" && t.context && t.number === n;
  }

  /** The content of context primitive [n] (consumed), or undefined. */
  private context(
    n: number,
    minLength: number,
    maxLength: number,
  ): { start: number; length: number } | undefined {
    const t = this.peek();
    if (t?.kind !== "primitive" || !t.context || t.number !== n) return undefined;
    if (t.length < minLength || t.length > maxLength) return undefined;
    const start = this.at + t.header;
    this.at = start + t.length;
    return { start, length: t.length };
  }

  unsigned(n: number): number | undefined {
    const c = this.context(n, 1, 4);
    return c ? this.buf.readUIntBE(c.start, c.length) : undefined;
  }

  enumerated(n: number): number | undefined {
    return this.unsigned(n);
  }

  signed(n: number): number | undefined {
    const c = this.context(n, 1, 4);
    return c ? this.buf.readIntBE(c.start, c.length) : undefined;
  }

  real(n: number): number | undefined {
    const c = this.context(n, 4, 4);
    return c ? this.buf.readFloatBE(c.start) : undefined;
  }

  boolean(n: number): boolean | undefined {
    const c = this.context(n, 1, 1);
    const v = c ? this.buf[c.start] : undefined;
    return v === 0 ? false : v === 1 ? true : undefined;
  }

  objectId(n: number): { type: number; instance: number } | undefined {
    const c = this.context(n, 4, 4);
    if (!c) return undefined;
    const packed = this.buf.readUInt32BE(c.start);
    return { type: packed >>> 22, instance: packed & 0x3fffff };
  }

  /** A BIT STRING as booleans, bit 0 first (the wire's most significant bit of the first octet). */
  bits(n: number, minBits = 0): boolean[] | undefined {
    const t = this.peek();
    if (t?.kind !== "primitive" || !t.context || t.number !== n || t.length < 1) return undefined;
    const start = this.at + t.header;
    const unused = this.buf[start] ?? 8;
    const count = (t.length - 1) * 8 - unused;
    if (unused > 7 || count < minBits || (t.length === 1 && unused !== 0)) return undefined;
    this.at = start + t.length;
    return Array.from(
      { length: count },
      (_, i) => ((this.buf[start + 1 + (i >> 3)] ?? 0) & (0x80 >> (i % 8))) !== 0,
    );
  }

  /** One application-tagged primitive (an ABSTRACT-SYNTAX value), as JSON-friendly data. */
  application(): { tag: number; value: number | boolean | string | null } | undefined {
    const t = this.peek();
    if (!t || t.context || t.kind !== "primitive") return undefined;
    const start = this.at + t.header;
    const { buf } = this;
    let value: number | boolean | string | null;
    switch (t.number) {
      case 0:
        if (t.length !== 0) return undefined;
        value = null;
        break;
      case 1:
        value = t.lvt === 1;
        break;
      case 2:
      case 9:
        if (t.length < 1 || t.length > 4) return undefined;
        value = buf.readUIntBE(start, t.length);
        break;
      case 3:
        if (t.length < 1 || t.length > 4) return undefined;
        value = buf.readIntBE(start, t.length);
        break;
      case 4:
        if (t.length !== 4) return undefined;
        value = buf.readFloatBE(start);
        break;
      case 5:
        if (t.length !== 8) return undefined;
        value = buf.readDoubleBE(start);
        break;
      default:
        // Strings, dates, object ids and the rest: kept as hex, never interpreted.
        value = buf.subarray(start, start + Math.min(t.length, 64)).toString("hex");
    }
    this.at = start + t.length;
    return { tag: t.number, value };
  }

  /** Skips one element: a primitive, or an opening tag through its matching closing tag. */
  skip(): boolean {
    const t = this.peek();
    if (!t || t.kind === "close") return false;
    if (t.kind === "primitive") {
      this.at += t.header + t.length;
      return true;
    }
    const from = this.at;
    this.at += t.header;
    while (!this.done) {
      if (this.close(t.number)) return true;
      if (!this.skip()) break;
    }
    this.at = from;
    return false;
  }
}
