// The embed's stylesheet, inside its shadow root: the host page's selectors cannot reach in, and nothing
// here leaks out. What does cross the boundary is inheritance, and the page's rules on the host element
// itself (`* { color: … !important }` beats `:host`), so the box resets every inherited property with
// `all: initial` and sets its own font and colours. Sizes are in em from `medium` (the visitor's default
// font size), so a site's `html { font-size: 62.5% }` does not shrink the form. The public knobs are the
// --leadline-* custom properties (custom properties inherit on purpose); the private ones are --ll-*.

const LIGHT =
  '--ll-bg:var(--leadline-background,#fff);--ll-fg:var(--leadline-text,#111827);--ll-muted:var(--leadline-muted,#4b5563);' +
  '--ll-line:var(--leadline-border,#6b7280);--ll-accent:var(--leadline-accent,#1d4ed8);--ll-on-accent:var(--leadline-accent-text,#fff);' +
  '--ll-error:var(--leadline-error,#b91c1c);--ll-bubble:var(--leadline-bubble,#f3f4f6)';
const DARK =
  '--ll-bg:var(--leadline-background,#111827);--ll-fg:var(--leadline-text,#f3f4f6);--ll-muted:var(--leadline-muted,#d1d5db);' +
  '--ll-line:var(--leadline-border,#9ca3af);--ll-accent:var(--leadline-accent,#93c5fd);--ll-on-accent:var(--leadline-accent-text,#111827);' +
  '--ll-error:var(--leadline-error,#fca5a5);--ll-bubble:var(--leadline-bubble,#1f2937)';

export const EMBED_CSS = `
:host{all:initial;display:block;max-width:var(--leadline-max-width,32em);${LIGHT}}
:host([data-theme=dark]){${DARK}}
@media (prefers-color-scheme:dark){:host([data-theme=auto]){${DARK}}}
.box{all:initial;display:block;font:400 var(--leadline-font-size,medium)/1.5 var(--leadline-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
color:var(--ll-fg);background:var(--ll-bg);border:1px solid var(--ll-line);border-radius:var(--leadline-radius,.5em);padding:1.25em}
*{box-sizing:border-box;font:inherit;color:inherit;letter-spacing:inherit}
[hidden]{display:none!important}
h2{margin:0 0 1em;font-size:1.25em;font-weight:600;line-height:1.3}
.row{margin:0 0 .875em}
label{display:block;font-weight:500;margin:0 0 .25em}
.required,.error,.alert{color:var(--ll-error)}
input,textarea{display:block;width:100%;margin:0;padding:.5em .625em;background:var(--ll-bg);border:1px solid var(--ll-line);border-radius:calc(var(--leadline-radius,.5em)/1.5)}
textarea{min-height:5em;resize:vertical}
.check{display:flex;flex-wrap:wrap;align-items:flex-start;gap:.5em}
.check input{width:auto;margin:.3em 0 0}
.check label{flex:1;font-weight:400}
.check .error{flex-basis:100%}
[aria-invalid=true]{border:2px solid var(--ll-error)}
:focus-visible{outline:3px solid var(--ll-accent);outline-offset:2px}
.hint{color:var(--ll-muted);font-size:.875em;margin:-.25em 0 .875em}
.error{font-size:.875em;margin:.25em 0 0}
.error:empty,.alert:empty,.note:empty{display:none}
.alert{margin:0 0 .875em}
.note{margin:0 0 .875em;padding:.75em;border-left:4px solid var(--ll-accent);background:var(--ll-bubble)}
.note:focus{outline:none}
button{cursor:pointer;padding:.625em 1.25em;border:0;border-radius:calc(var(--leadline-radius,.5em)/1.5);background:var(--ll-accent);color:var(--ll-on-accent);font-weight:600}
button[aria-disabled=true]{opacity:.7;cursor:progress}
.log{list-style:none;margin:0 0 1em;padding:0;display:flex;flex-direction:column;gap:.5em;max-height:20em;overflow-y:auto}
.log li{max-width:85%;padding:.5em .75em;border-radius:.75em;white-space:pre-wrap;overflow-wrap:anywhere}
.bot{align-self:flex-start;background:var(--ll-bubble)}
.user{align-self:flex-end;background:var(--ll-accent);color:var(--ll-on-accent)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;
