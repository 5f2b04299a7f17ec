import { describe, expect, it } from 'vitest';
import { highlight } from './index.ts';

describe('highlight', () => {
  it('wraps every match and merges adjacent ones', () => {
    expect(highlight('内地居民结婚登记', ['结婚', '登记'])).toBe('内地居民<em>结婚登记</em>');
    expect(highlight('住房公积金提取(租房)', ['住房'])).toBe('<em>住房</em>公积金提取(租房)');
  });

  it('escapes HTML around and inside matches', () => {
    expect(highlight('<i>证明</i> & "材料"', ['证明'])).toBe(
      '&lt;i&gt;<em>证明</em>&lt;/i&gt; &amp; &quot;材料&quot;',
    );
    expect(highlight("it's <script>", [])).toBe('it&#39;s &lt;script&gt;');
  });

  it('ignores width, case and traditional forms', () => {
    expect(highlight('開辦ＫＴＶ', ['开办', 'ktv'])).toBe('<em>開辦ＫＴＶ</em>');
    expect(highlight('户口迁移', ['戶口'])).toBe('<em>户口</em>迁移');
  });

  it('matches pinyin and initials typed in letters', () => {
    expect(highlight('内地居民结婚登记', ['jiehun'])).toBe('内地居民<em>结婚</em>登记');
    expect(highlight('内地居民结婚登记', ['jhdj'])).toBe('内地居民<em>结婚登记</em>');
    expect(highlight('内地居民结婚登记', ['jieh'])).toBe('内地居民<em>结婚</em>登记');
    expect(highlight('内地居民结婚登记', ['xyz'])).toBe('内地居民结婚登记');
  });

  it('leaves the name alone when nothing matches', () => {
    expect(highlight('出生登记', ['护照', ''])).toBe('出生登记');
  });
});
