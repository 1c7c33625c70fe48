"use client";

import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from "react";

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog on the native `<dialog>` and `showModal()`: the browser puts it in the top layer
 * and makes the rest of the page inert, and Escape asks it to close. What the element leaves to
 * the page is done here: Tab wraps inside it (the browser would go on to its own toolbar), the
 * first focus goes to the element marked `data-autofocus` (else the title), and focus returns to the opener even
 * when the opener was re-rendered meanwhile.
 *
 * `open` is the only state: Escape calls `onClose`, which the owner answers by setting it false.
 * While `busy`, Escape is ignored (the action under way is not cancelled by closing its dialog).
 */
export function ModalDialog({
  open,
  title,
  onClose,
  busy = false,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  busy?: boolean;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  const state = useRef({ onClose, busy });
  useEffect(() => {
    state.current = { onClose, busy };
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
      // The title by default, so a screen reader starts at the top of what is asked.
      (dialog.querySelector<HTMLElement>("[data-autofocus]") ?? dialog.querySelector<HTMLElement>("h2"))?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected) back.focus();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // Escape fires "cancel"; the owner decides. Should the browser close it anyway (it may, when
    // Escape is pressed twice without other input), "close" keeps the owner's state in step.
    const cancel = (event: Event) => {
      event.preventDefault();
      if (!state.current.busy) state.current.onClose();
    };
    // Late "close" events of an earlier closing are ignored once the dialog is open again.
    const closed = () => {
      if (!dialog.open) state.current.onClose();
    };
    dialog.addEventListener("cancel", cancel);
    dialog.addEventListener("close", closed);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      dialog.removeEventListener("close", closed);
    };
  }, []);

  function keepTabInside(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== "Tab") return;
    const focusable = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => !el.hasAttribute("disabled") && el.getClientRects().length > 0,
    );
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    const active = document.activeElement as HTMLElement | null;
    // From the title (focusable by script only) Shift+Tab would leave the dialog too.
    if (event.shiftKey && (active === first || !focusable.includes(active!))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onKeyDown={keepTabInside}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] max-w-lg overflow-y-auto rounded-lg bg-white p-6 text-slate-900 shadow-lg backdrop:bg-[rgb(0_0_0/0.55)]"
    >
      {open && (
        <>
          <h2 id={titleId} tabIndex={-1} className="mb-4 text-lg font-semibold focus:outline-none">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}
