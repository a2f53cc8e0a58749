interface PagerProps {
  page: number;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  label: string;
}

export function Pager({ page, hasPrevious, nextCursor, onPrevious, onNext, label }: PagerProps) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="button secondary" disabled={!hasPrevious} onClick={onPrevious}>
        ← Previous
      </button>
      <span aria-live="polite">Page {page}</span>
      <button type="button" className="button secondary" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next →
      </button>
    </nav>
  );
}
