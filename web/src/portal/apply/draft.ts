import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, api, data, fieldErrors } from '../../api/client.ts';
import { useLocale } from '../../i18n/index.tsx';
import {
  validateAgainstSchema,
  type FormErrors,
  type FormSchema,
  type FormValue,
} from '../../shared/schema-form/index.tsx';
import type { ApplicationView } from './types.ts';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: Date }
  | { kind: 'invalid' }
  | { kind: 'failed'; error: unknown };

/** A draft's forms by part number. */
export type PartForms = Record<number, FormValue>;
export type PartErrors = Record<number, FormErrors>;

const AUTOSAVE_DELAY_MS = 800;

/**
 * The server's field errors (`parts[i].formData.<field>`) by part number and field, so a
 * 400 on save or submit shows beside the fields it names.
 */
export function partErrorsOf(error: unknown, application: ApplicationView, english: boolean): PartErrors {
  const byPart: PartErrors = {};
  for (const [path, message] of Object.entries(fieldErrors(error, english))) {
    const match = /^parts\[(\d+)\]\.formData\.?([^.[]*)/.exec(path);
    const part = match ? application.parts[Number(match[1])]?.part : undefined;
    if (part === undefined) continue;
    (byPart[part] ??= {})[match![2] || 'form'] ??= message;
  }
  return byPart;
}

const hasErrors = (errors: PartErrors) => Object.values(errors).some((e) => Object.keys(e).length > 0);

/**
 * A draft as the applicant edits it: the forms kept locally and saved to the server as
 * they change (after a short pause, one save at a time, with the version the server last
 * returned), so leaving and coming back — on any device — resumes where they were. What
 * breaks a rule is shown beside its field and not saved.
 */
export function useDraft(initial: ApplicationView) {
  const { locale } = useLocale();
  const [application, setApplicationState] = useState(initial);
  const [forms, setFormsState] = useState<PartForms>(() =>
    Object.fromEntries(initial.parts.map((p) => [p.part, p.formData])),
  );
  const [errors, setErrors] = useState<PartErrors>({});
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const formsRef = useRef(forms);
  const version = useRef(initial.version);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const setApplication = useCallback((view: ApplicationView) => {
    version.current = Math.max(version.current, view.version);
    setApplicationState(view);
  }, []);

  /** One checklist entry as the server returned it after an upload or a reuse. */
  const replaceMaterial = useCallback((entry: ApplicationView['materials'][number]) => {
    setApplicationState((current) => ({
      ...current,
      materials: current.materials.map((m) => (m.name === entry.name ? entry : m)),
    }));
  }, []);

  const schemaOf = useCallback(
    (part: number) => initial.parts.find((p) => p.part === part)?.formSchema as FormSchema,
    [initial.parts],
  );

  const saveNow = useCallback(async (): Promise<boolean> => {
    const current = formsRef.current;
    const parts = initial.parts.map((p) => p.part);
    const found: PartErrors = {};
    for (const part of parts) {
      const partErrors = validateAgainstSchema(schemaOf(part), current[part] ?? {}, {
        locale,
        partial: true,
      });
      if (Object.keys(partErrors).length > 0) found[part] = partErrors;
    }
    if (hasErrors(found)) {
      setErrors(found);
      setSaveState({ kind: 'invalid' });
      return false;
    }
    setSaveState({ kind: 'saving' });
    const patch = (v: number) =>
      data(
        api.PATCH('/api/v1/applications/{id}', {
          params: { path: { id: initial.id } },
          body: { version: v, parts: parts.map((part) => ({ part, formData: current[part] ?? {} })) },
        }),
      );
    try {
      let view;
      try {
        view = await patch(version.current);
      } catch (error) {
        // Saved meanwhile from another tab or device: this page's forms are the newer edit.
        if (!(error instanceof ApiProblem) || error.status !== 409) throw error;
        const latest = await data(
          api.GET('/api/v1/applications/{id}', { params: { path: { id: initial.id } } }),
        );
        if (latest.status !== 'draft') throw error;
        view = await patch(latest.version);
      }
      setApplication(view);
      setErrors({});
      setSaveState({ kind: 'saved', at: new Date() });
      return true;
    } catch (error) {
      const fromServer = partErrorsOf(error, initial, locale === 'en');
      if (hasErrors(fromServer)) {
        setErrors(fromServer);
        setSaveState({ kind: 'invalid' });
      } else setSaveState({ kind: 'failed', error });
      return false;
    }
  }, [initial, locale, schemaOf, setApplication]);

  /** Saves after what is queued; resolves whether this save went through. */
  const save = useCallback((): Promise<boolean> => {
    clearTimeout(timer.current);
    const next = queue.current.then(saveNow);
    queue.current = next.catch(() => undefined);
    return next;
  }, [saveNow]);

  const setForm = useCallback(
    (part: number, value: FormValue) => {
      formsRef.current = { ...formsRef.current, [part]: value };
      setFormsState(formsRef.current);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    },
    [save],
  );

  useEffect(() => () => clearTimeout(timer.current), []);

  /** Reads the application again (after a material changed on the server). */
  const refresh = useCallback(async () => {
    setApplication(
      await data(api.GET('/api/v1/applications/{id}', { params: { path: { id: initial.id } } })),
    );
  }, [initial.id, setApplication]);

  return {
    application,
    setApplication,
    replaceMaterial,
    refresh,
    forms,
    setForm,
    errors,
    setErrors,
    saveState,
    save,
    schemaOf,
    version,
  };
}

export type Draft = ReturnType<typeof useDraft>;
