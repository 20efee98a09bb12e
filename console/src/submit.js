// A small form's submit: posts once per Idempotency-Key (the same key until the server accepts, so a retry after a
// lost answer is applied once), keeps the server's refusal, and finds its message for the field it names.
import { useState } from 'preact/hooks';
import { newKey } from './api.js';

export function useSubmit(send, onDone) {
  const [key, setKey] = useState(newKey);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e?.preventDefault();
    setBusy(true);
    try {
      const answer = await send(key);
      setError(null);
      setKey(newKey());
      onDone(answer);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name) => error?.fields?.find((f) => f.field === name)?.message;
  return { submit, error, busy, fieldError };
}
