import { ReactNode, useEffect, useRef } from 'react';
import { useDocumentTitle } from '../lib/use-document-title';

/**
 * The page's <h1>, focused when the page opens so keyboard and screen-reader users start at the top of
 * the new page; `actions` sit beside it.
 */
export function PageHeading({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  useDocumentTitle(title);
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <div className="page-heading">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {children}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
