import { CloseCircleFilled } from '@ant-design/icons';
import { Button } from 'antd';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { portal } from '../messages.ts';

const SUGGEST_DELAY_MS = 150;

interface Suggestion {
  code: string;
  name: string;
}

/** Names that complete what was typed (characters, pinyin or initials), asked for after a pause in typing. */
function useSuggestions(text: string): Suggestion[] {
  const [options, setOptions] = useState<Suggestion[]>([]);
  useEffect(() => {
    const q = text.trim();
    if (!q) return;
    let current = true;
    const timer = setTimeout(() => {
      data(api.GET('/api/v1/catalog/suggest', { params: { query: { q, limit: 8 } } })).then(
        (result) => current && setOptions(result.items),
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
 * The portal's search box with autocomplete (an ARIA combobox: arrow keys move through the
 * suggestions, Enter opens the highlighted one or searches for what was typed, Escape
 * closes the list). A plain input styled like antd's rather than its Input or
 * AutoComplete: it is on the home page, and their code would weigh on its first load.
 */
export function SearchBox({ initial = '', large = false }: { initial?: string; large?: boolean }) {
  const t = useT(portal);
  const navigate = useNavigate();
  const [text, setText] = useState(initial);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const options = useSuggestions(text);
  const inputId = useId();
  const listId = useId();
  useEffect(() => setText(initial), [initial]);
  const shown = open && options.length > 0;
  const pick = (option: Suggestion) => {
    setOpen(false);
    void navigate(`/items/${option.code}`);
  };
  const search = (value: string) => {
    const highlighted = shown ? options[active] : undefined;
    if (highlighted) return pick(highlighted);
    const q = value.trim();
    setOpen(false);
    if (q) void navigate(`/search?q=${encodeURIComponent(q)}`);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      setOpen(false);
      setActive(-1);
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    if (options.length === 0) return;
    setOpen(true);
    const step = event.key === 'ArrowDown' ? 1 : -1;
    setActive((a) =>
      a < 0 ? (step > 0 ? 0 : options.length - 1) : (a + step + options.length) % options.length,
    );
  };
  return (
    <form
      role="search"
      className="tb-search"
      onSubmit={(event) => {
        event.preventDefault();
        search(text);
      }}
    >
      <label htmlFor={inputId} className="tb-visually-hidden">
        {t('searchLabel')}
      </label>
      <div className={large ? 'tb-search-field tb-search-large' : 'tb-search-field'}>
        <input
          id={inputId}
          type="text"
          role="combobox"
          aria-expanded={shown}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
          autoComplete="off"
          placeholder={t('searchPlaceholder')}
          maxLength={200}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
        />
        {text ? (
          <button
            type="button"
            className="tb-search-clear"
            aria-label={t('searchClear')}
            onClick={() => {
              setText('');
              document.getElementById(inputId)?.focus();
            }}
          >
            <CloseCircleFilled />
          </button>
        ) : null}
        <Button type="primary" htmlType="submit" size={large ? 'large' : 'middle'}>
          {t('searchButton')}
        </Button>
      </div>
      {shown ? (
        <ul id={listId} role="listbox" aria-label={t('searchLabel')} className="tb-suggestions">
          {options.map((option, i) => (
            <li
              key={option.code}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              // Before the input's blur closes the list.
              onMouseDown={(event) => {
                event.preventDefault();
                pick(option);
              }}
            >
              {option.name}
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}
