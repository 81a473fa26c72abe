/**
 * The banner's styles, inside its shadow root: nothing leaks into the host page and the page's
 * rules do not reach in (`all: initial` also stops inherited fonts and colours). Themable through
 * `--parley-*` custom properties, which do cross the shadow boundary. The defaults meet 4.5:1.
 */
export const CSS = `:host{all:initial}
*{box-sizing:border-box}
.b,.m{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--parley-fg,#1a1a1a);background:var(--parley-bg,#fff)}
.b{position:fixed;z-index:2147483646;left:0;right:0;bottom:0;padding:16px 20px;border-top:1px solid var(--parley-border,#767676);box-shadow:0 -2px 12px #0003}
.box{left:auto;right:16px;bottom:16px;max-width:420px;border:1px solid var(--parley-border,#767676);border-radius:var(--parley-radius,8px)}
.b:focus,.m:focus{outline:none}
h2{font-size:17px;margin:0 0 6px}
p{margin:0 0 10px}
a{color:var(--parley-link,#0b57d0)}
.g{font-style:italic}
.a{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
button{font:inherit;font-weight:600;cursor:pointer;padding:8px 16px;min-width:9em;border:2px solid var(--parley-accent,#1a1a1a);border-radius:var(--parley-radius,6px);background:var(--parley-button-bg,#fff);color:var(--parley-button-fg,#1a1a1a)}
button:hover{background:var(--parley-button-hover,#eee)}
:focus-visible{outline:3px solid var(--parley-focus,#0b57d0);outline-offset:2px}
.o{position:fixed;inset:0;z-index:2147483647;background:#0009;display:flex;align-items:center;justify-content:center;padding:16px}
.m{position:relative;width:100%;max-width:560px;max-height:90vh;overflow:auto;padding:20px 24px;border-radius:var(--parley-radius,8px)}
.c{border-top:1px solid #ccc;padding:10px 0 0}
label{display:flex;gap:10px;align-items:center;font-weight:600}
input{width:20px;height:20px;margin:0;accent-color:var(--parley-accent,#1a1a1a)}
.sr{position:fixed;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.s{font-weight:400;margin:4px 0 0 30px}
.l{min-width:0;margin-top:12px;padding:4px 0;border-color:transparent;background:none;font-weight:400;text-decoration:underline;color:var(--parley-link,#0b57d0)}
.x{position:absolute;top:8px;inset-inline-end:8px;min-width:0;padding:2px 10px;border-color:transparent}`;
