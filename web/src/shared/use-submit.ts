import type { FormInstance } from 'antd';
import { useState } from 'react';
import { fieldErrors } from '../api/client.ts';
import { useLocale } from '../i18n/index.tsx';

/**
 * Sends a form through `action`, busy meanwhile. The server's field errors go next to
 * their fields (a path such as regionCodes[0] or fields.2 names the list it is in); the
 * failure is kept in `error` for a ProblemAlert, or, with `alertFieldErrors: false`, only
 * when no field took an error.
 */
export function useSubmit<V>(
  form: FormInstance<V>,
  action: (values: V) => Promise<unknown>,
  { alertFieldErrors = true } = {},
) {
  const { locale } = useLocale();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (values: V) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(values);
    } catch (e) {
      const fields = Object.entries(fieldErrors(e, locale === 'en'));
      form.setFields(
        fields.map(([field, message]) => ({
          name: field.split(/[.[\]/]/).filter(Boolean)[0] as never,
          errors: [message],
        })),
      );
      if (alertFieldErrors || fields.length === 0) setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error };
}
