// A screen that reloads when its parameters change keeps only the newest answer: an answer to an earlier request
// (the previous filter, window or case) that arrives late is dropped instead of overwriting the newer one.
import { useRef } from 'preact/hooks';

// latest() starts a request and returns `only`, which wraps a callback so it runs only while that request is newest
export function useLatest() {
  const counter = useRef(0);
  return () => {
    const ticket = ++counter.current;
    return (callback) => (...args) => (ticket === counter.current ? callback(...args) : undefined);
  };
}
