import ccxt from 'ccxt';
it('loads', () => {
  const x = new ccxt.pro.binanceusdm({});
  expect(typeof x.handleOHLCV).toBe('function');
  expect(x instanceof ccxt.Exchange).toBe(true);
});
