// The secrets.hmac_key that tests open the state store with: the store's subject key is sealed under it.
export const STATE_KEY = Buffer.from('state-test-hmac-key', 'utf8');
