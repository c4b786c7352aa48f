// Every server-rendered page of the service has this one layout and is sent one way. Pages are
// Preact components rendered to a string: every value is escaped by the renderer (only this layout
// writes raw markup: its own style sheet). Scripts, where a page has one, are files of this service.
import type { FastifyReply } from 'fastify';
import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { policyText } from '../security-headers.js';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1b2733}
main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.4rem}h2{font-size:1.15rem;margin:0}
.card{background:#fff;border-radius:.5rem;padding:1rem;margin:1rem 0;box-shadow:0 1px 3px #0002}
.card.focus{outline:3px solid #2a6fdb}.org{color:#4a5a6a;margin:.25rem 0 .75rem}
table{width:100%;border-collapse:collapse}td{padding:.5rem .25rem;border-top:1px solid #e3e8ee;vertical-align:middle}
.allowed,.small.allowed{color:#11702f}.refused,.small.refused{color:#8a1c1c}button{font-size:1rem;padding:.45rem .9rem;border-radius:.35rem;border:1px solid #2a6fdb;background:#2a6fdb;color:#fff}
button.secondary{background:#fff;color:#2a6fdb}label{display:block;margin:.75rem 0 .25rem}input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}
input[type=radio]{width:auto}.error{background:#fde8e8;color:#8a1c1c;padding:.75rem;border-radius:.35rem}.small{font-size:.85rem;color:#4a5a6a}.nowrap{white-space:nowrap}@media (max-width:30rem){td{padding:.5rem .15rem}td button{padding:.45rem .6rem}}
section.result{margin:1rem 0;padding:.75rem;border:1px solid #d5dde6;border-radius:.5rem;background:#fff}li{margin:.25rem 0}
a.button{display:inline-block;font-size:1rem;padding:.45rem .9rem;border-radius:.35rem;border:1px solid #2a6fdb;background:#2a6fdb;color:#fff;text-decoration:none}
a.button.secondary{background:#fff;color:#2a6fdb}td.action{text-align:right;white-space:nowrap}.technical{font-family:ui-monospace,monospace;font-size:.8rem}
fieldset.choice{border:0;border-top:1px solid #e3e8ee;margin:0;padding:.75rem 0}fieldset.choice:first-child{border-top:0}fieldset.choice legend{padding:0;float:left;width:100%;margin-bottom:.25rem}
fieldset.choice p{clear:both;margin:.25rem 0}.options{clear:both;display:flex;gap:1.5rem}.options label{display:inline-flex;align-items:center;gap:.5rem;margin:.25rem 0;cursor:pointer}
.options input[type=radio]{width:1.25rem;height:1.25rem;margin:0}a{color:#1d5bbf}
a.card.entrance{display:block;color:inherit;text-decoration:none}a.card.entrance strong{color:#1d5bbf;font-size:1.1rem}a.card.entrance:hover,a.card.entrance:focus{outline:3px solid #2a6fdb}`;

export interface PageProps {
  title: string;
  /** The path of a module script this service serves for the page. */
  script?: string;
  children: ComponentChildren;
}

export function Page({ title, script, children }: PageProps): VNode {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main>{children}</main>
        {script && <script type="module" src={script} />}
      </body>
    </html>
  );
}

export interface SendPageOptions {
  status?: number;
  /** Origins a form on the page may lead to besides this service (a SMART app's redirect after consent). */
  formsLeadTo?: string[];
}

/** Sends a page: rendered, never cached, under a policy that allows only its own style, scripts and forms. */
export function sendPage(reply: FastifyReply, page: VNode, { status = 200, formsLeadTo = [] }: SendPageOptions = {}): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('content-security-policy', pagePolicy(formsLeadTo))
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>${renderToString(page)}`);
}

function pagePolicy(formsLeadTo: string[]): string {
  const directives = {
    'default-src': ["'none'"],
    'style-src': ["'unsafe-inline'"],
    'script-src': ["'self'"],
    'connect-src': ["'self'"],
    'form-action': ["'self'", ...formsLeadTo],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return policyText(directives);
}

/** A username and password, as every sign-in form on the service asks for them. */
export function SignInFields(): VNode {
  return (
    <>
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" required />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required />
      <p>
        <button type="submit">Sign in</button>
      </p>
    </>
  );
}
