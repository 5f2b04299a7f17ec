import { analyzeQuery } from './index.ts';
analyzeQuery('x');
const qs = Array.from({ length: 20000 }, (_, i) => `开个小饭馆要办什么证${String.fromCharCode(0x4e00 + i)}`);
const t = performance.now(); for (const q of qs) analyzeQuery(q); console.log(((performance.now() - t) / qs.length * 1000).toFixed(1), 'us');
