import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import './confirm.css';

/**
 * A button that asks before it acts: the first press shows the question and
 * a confirm button (focused) next to a cancel button; nothing happens until
 * the confirm is pressed. Keyboard-only friendly, no modal.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  busy = false,
  className = 'button',
}: {
  readonly label: string;
  readonly question: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
  readonly busy?: boolean;
  readonly className?: string;
}) {
  const { t } = useTranslation('common');
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) {
      confirmRef.current?.focus();
      // In a scrolling table the whole question comes into view, not only the edge of its button.
      confirmRef.current?.parentElement?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    } else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button
        ref={openerRef}
        type="button"
        className={className}
        onClick={() => setAsking(true)}
        disabled={busy}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm-ask">
      <span id={questionId} role="status">
        {question}
      </span>
      <button
        ref={confirmRef}
        type="button"
        className="button button-danger"
        aria-describedby={questionId}
        disabled={busy}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-quiet" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
