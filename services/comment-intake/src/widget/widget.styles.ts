/**
 * The widget's styles, inside its shadow root. `:host` with `!important` wins over any page rule
 * aimed at the host element, and `all: initial` stops inherited fonts and colours; custom
 * properties still inherit, so a publisher themes the widget with `--parley-*` (light) and
 * `--parley-dark-*` (dark) on `#parley-comments` or any ancestor. Defaults meet 4.5:1; sizes are
 * in px so the page's root font size cannot reach in.
 */
export const STYLES = `:host{all:initial!important;display:flow-root!important;direction:ltr!important;unicode-bidi:isolate!important;overflow-anchor:none!important}
.w{--fg:var(--parley-fg,#1a1a1a);--bg:var(--parley-bg,#fff);--mu:var(--parley-muted,#555);--ac:var(--parley-accent,#0b57d0);--af:var(--parley-accent-fg,#fff);--bd:var(--parley-border,#767676);--er:var(--parley-error,#b3261e);--pe:var(--parley-pending,#fff4ce);position:relative;color-scheme:light;font:15px/1.5 var(--parley-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);color:var(--fg);background:var(--bg);padding:var(--parley-padding,16px);border-radius:var(--parley-radius,8px);text-align:start}
.w.dk{--fg:var(--parley-dark-fg,#ececec);--bg:var(--parley-dark-bg,#161616);--mu:var(--parley-dark-muted,#b3b3b3);--ac:var(--parley-dark-accent,#8ab4f8);--af:var(--parley-dark-accent-fg,#0b0b0b);--bd:var(--parley-dark-border,#8a8a8a);--er:var(--parley-dark-error,#f2b8b5);--pe:var(--parley-dark-pending,#3d3300);color-scheme:dark}
*{box-sizing:border-box}
[hidden]{display:none!important}
h2{font-size:20px;line-height:1.3;margin:0}
h3{font-size:16px;margin:0 0 4px}
.hd{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;margin-bottom:8px}
.hd label{display:flex;gap:6px;align-items:center;margin:0;font-weight:400}
ol{list-style:none;margin:0;padding:0}
.r{margin-inline-start:14px;padding-inline-start:14px;border-inline-start:2px solid var(--bd)}
.c{margin:14px 0}
.m{display:flex;flex-wrap:wrap;gap:2px 10px;align-items:baseline}
.n{font-weight:700}
time,.mu{color:var(--mu);font-size:13px}
.t{overflow-wrap:anywhere}
.t p{margin:4px 0}
a{color:var(--ac)}
.pd{background:var(--pe);border-radius:4px;padding:1px 6px;font-size:13px}
button,input,select,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer;border:2px solid var(--ac);border-radius:6px;padding:6px 14px;background:var(--ac);color:var(--af);font-weight:600}
button.s{background:transparent;color:var(--ac)}
.a button{background:none;border-color:transparent;color:var(--ac);padding:2px 6px;margin-inline-start:-6px;font-size:14px}
:focus-visible{outline:3px solid var(--ac);outline-offset:2px}
label{display:block;font-weight:600;margin:10px 0 4px}
input,textarea,select{border:1px solid var(--bd);border-radius:6px;background:var(--bg);padding:7px 9px}
input,textarea{width:100%}
textarea{min-height:96px;resize:vertical}
[aria-invalid=true]{border:2px solid var(--er)}
.er{color:var(--er);margin:4px 0 0;font-size:14px;font-weight:600}
.ck{display:flex;gap:8px;align-items:flex-start;font-weight:400}
.ck input{width:18px;height:18px;flex:none;margin-top:2px}
.hp,.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.f,.x{border:1px solid var(--bd);border-radius:8px;padding:12px;margin:12px 0}
.b{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.st{margin:8px 0 0}
.mo{margin-top:8px}
.r:empty{display:none}
fieldset{border:0;margin:0;padding:0}
legend{font-weight:700;padding:0}
.x>p{margin:0}`;
