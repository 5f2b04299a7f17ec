import { analyzeQuery, createPlaceIndex } from './index.ts';
const places = createPlaceIndex([{ code: '320100', name: '示例市' }, { code: '320102', name: '玄武区' }, { code: '320104', name: '秦淮区' }]);
const qs = ['我要结婚', '开个小饭馆要办什么证', '领证', '結婚登記', '示例市玄武区结婚登记', 'jiehun', 'jhdj', '结昏登记', '营业执招', '公积金提取', '社保卡丢了', '身份证过期了', '买房过户', '住房公积金提取(购买自住住房)'];
let t0 = performance.now(); analyzeQuery('warm up', places); console.log('first call (loads jieba etc) ms', (performance.now() - t0).toFixed(1));
for (let round = 0; round < 3; round++) {
  const n = 2000; const t = performance.now();
  for (let i = 0; i < n; i++) for (const q of qs) analyzeQuery(q, places);
  console.log('cached avg ms/query', ((performance.now() - t) / (n * qs.length)).toFixed(4));
}
// uncached: unique queries each time (defeats the pinyin cache)
const n = 5000; const t = performance.now();
for (let i = 0; i < n; i++) analyzeQuery(`${qs[i % qs.length]}${String.fromCharCode(0x4e00 + (i % 20000))}`, places);
console.log('varied avg ms/query', ((performance.now() - t) / n).toFixed(4));
