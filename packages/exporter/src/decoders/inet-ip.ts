/** `inet_ip`: 4 bytes as an IPv4 address, 16 bytes as an IPv6 address (RFC 5952 form). */
import { DecoderConfigError, textBytes, type LabelDecoder } from "./label-decoder.ts";

function ipv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // The longest run of two or more zero groups collapses to "::" (the first one on a tie).
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

export const inetIpDecoder: LabelDecoder = {
  compile: () => (input) => {
    if (input.length === 4) return textBytes(input.join("."));
    if (input.length === 16) return textBytes(ipv6(input));
    throw new DecoderConfigError(`inet_ip takes 4 or 16 bytes, not ${input.length}`);
  },
};
