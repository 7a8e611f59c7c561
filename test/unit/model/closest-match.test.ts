import { closestMatch, editDistance } from '../../../src/model/closest-match.js';

describe('closestMatch', () => {
  const sshKeys = ['user', 'port', 'identityFile', 'knownHostsFile', 'become', 'proxyJump', 'connectTimeout'];

  it.each([
    ['identityfile', 'identityFile'],
    ['identity_file', 'identityFile'],
    ['known-hosts-file', 'knownHostsFile'],
    ['proxy_jump', 'proxyJump'],
    ['prot', 'port'],
    ['usr', 'user'],
    ['becom', 'become'],
  ])('matches %s to %s', (typo, key) => {
    expect(closestMatch(typo, sshKeys)).toBe(key);
  });

  it('suggests nothing for a word unlike every candidate', () => {
    expect(closestMatch('colour', sshKeys)).toBeUndefined();
    expect(closestMatch('x', sshKeys)).toBeUndefined();
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
