// Produced by the Java client itself (kafka-clients 4.4.0):
// Utils.murmur2(key.getBytes(UTF_8)) and Utils.toPositive(...) % 12.
export const JAVA_FIXTURES: [string, number, number][] = [
  ['t1', -1281321469, 7],
  ['t2', 311256748, 4],
  ['thread-42', 1087239475, 7],
  ['0', 971027396, 8],
  ['a', -1563381124, 4],
  ['hello world', 1221641059, 7],
  ['user:alice', -617417220, 8],
  ['mod:forum-1', 1038312570, 6],
  ['ü-unicode-ключ', -421487647, 1],
  ['9f8b2c1e-7c1d-4b7a-9c77-2f5d3c1a0b11', 1457700588, 0],
  ['', 275646681, 9],
];
