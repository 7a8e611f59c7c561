import { parseDuration } from '../../../src/commands/_shared/duration.js';

describe('parseDuration', () => {
  it('reads the units a user writes', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
  });
  it('refuses anything else, saying how to write it', () => {
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration: "5 minutes"/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
  });
});
