import { expect } from 'chai';
import { envVariableName, isVaultReference, resolveVaultReference } from '../../src/config/vault';

describe('04-config vault references (env vault)', () => {
  const env = { TEST_SECRET: 's3cr3t', MY_JSON: '{"user":"u1","n":5,"obj":{}}', NOT_JSON: 'x' };

  it('uses Kong\'s env naming: upper case, - becomes _', () => {
    expect(envVariableName('test-secret')).to.equal('TEST_SECRET');
    expect(resolveVaultReference('{vault://env/test-secret}', env)).to.deep.equal({ value: 's3cr3t' });
    expect(resolveVaultReference('{vault://env/TEST_SECRET}', env)).to.deep.equal({ value: 's3cr3t' });
  });

  it('reads a key of a JSON value', () => {
    expect(resolveVaultReference('{vault://env/my-json/user}', env)).to.deep.equal({ value: 'u1' });
    expect(resolveVaultReference('{vault://env/my-json/n}', env)).to.deep.equal({ value: '5' });
  });

  it('reports missing variables, keys, non-JSON values and other vaults', () => {
    expect(resolveVaultReference('{vault://env/absent}', env)).to.deep.equal({ error: 'could not resolve {vault://env/absent}: environment variable ABSENT is not set' });
    expect(resolveVaultReference('{vault://env/my-json/nope}', env)).to.have.property('error').that.contains("key 'nope' not found in MY_JSON");
    expect(resolveVaultReference('{vault://env/my-json/obj}', env)).to.have.property('error').that.contains('not a scalar');
    expect(resolveVaultReference('{vault://env/not-json/k}', env)).to.have.property('error').that.contains('not a JSON object');
    expect(resolveVaultReference('{vault://aws/secret}', env)).to.have.property('error').that.contains("vault 'aws' is not supported");
    expect(resolveVaultReference('vault://env/x', env)).to.have.property('error').that.contains('invalid vault reference');
  });

  it('recognises only whole-value references', () => {
    expect(isVaultReference('{vault://env/x}')).to.equal(true);
    expect(isVaultReference('Bearer {vault://env/x}')).to.equal(false);
  });
});
