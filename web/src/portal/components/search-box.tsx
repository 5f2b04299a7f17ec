import { AutoComplete, Input } from 'antd';
import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { portal } from '../messages.ts';

const SUGGEST_DELAY_MS = 150;

/** Names that complete what was typed (characters, pinyin or initials), asked for after a pause in typing. */
function useSuggestions(text: string) {
  const [options, setOptions] = useState<{ value: string; code: string }[]>([]);
  useEffect(() => {
    const q = text.trim();
    if (!q) return;
    let current = true;
    const timer = setTimeout(() => {
      data(api.GET('/api/v1/catalog/suggest', { params: { query: { q, limit: 8 } } })).then(
        (result) => current && setOptions(result.items.map((i) => ({ value: i.name, code: i.code }))),
        // Autocomplete is a help: when it fails, searching still works.
        () => current && setOptions([]),
      );
    }, SUGGEST_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text]);
  return text.trim() ? options : [];
}

/**
 * The portal's search box with autocomplete: Enter or the button goes to the results of
 * what was typed, picking a suggestion opens that service's guide.
 */
export function SearchBox({ initial = '', large = false }: { initial?: string; large?: boolean }) {
  const t = useT(portal);
  const navigate = useNavigate();
  const [text, setText] = useState(initial);
  const options = useSuggestions(text);
  const id = useId();
  useEffect(() => setText(initial), [initial]);
  const search = (value: string) => {
    const q = value.trim();
    if (q) void navigate(`/search?q=${encodeURIComponent(q)}`);
  };
  return (
    <form role="search" onSubmit={(event) => event.preventDefault()} style={{ width: '100%' }}>
      <label htmlFor={id} className="tb-visually-hidden">
        {t('searchLabel')}
      </label>
      <AutoComplete
        value={text}
        options={options.map((o) => ({ value: o.value, key: o.code, code: o.code }))}
        onChange={setText}
        onSelect={(_value, option) => void navigate(`/items/${option.code}`)}
        style={{ width: '100%' }}
        popupMatchSelectWidth
      >
        <Input.Search
          id={id}
          size={large ? 'large' : 'middle'}
          placeholder={t('searchPlaceholder')}
          enterButton={t('searchButton')}
          allowClear
          maxLength={200}
          onSearch={search}
        />
      </AutoComplete>
    </form>
  );
}
