import * as asn1 from "@bacnet-js/client/dist/lib/asn1.js";

/**
 * The length of the WriteAccessSpecification at `offset` (object id, then [1] list of property
 * values up to its closing tag), or undefined if the bytes do not hold one. The library's decoder
 * takes one specification and must be told exactly how long it is.
 */
export function writeAccessSpecLength(buffer: Buffer, offset: number, end: number): number | undefined {
  let pos = offset;
  let depth = 0;
  let sawList = false;
  while (pos < end) {
    const byte = buffer[pos]!;
    if (asn1.decodeIsOpeningTag(buffer, pos)) {
      depth++;
      sawList = true;
      pos += asn1.decodeTagNumber(buffer, pos).len;
      continue;
    }
    if (asn1.decodeIsClosingTag(buffer, pos)) {
      depth--;
      pos += asn1.decodeTagNumber(buffer, pos).len;
      if (depth < 0) return undefined;
      if (depth === 0 && sawList) return pos - offset;
      continue;
    }
    const tag = asn1.decodeTagNumberAndValue(buffer, pos);
    if (!tag || tag.len <= 0) return undefined;
    const applicationBoolean = (byte & 0x08) === 0 && tag.tagNumber === 1;
    pos += tag.len + (applicationBoolean ? 0 : (tag.value ?? 0));
  }
  return undefined;
}
