// The one HTML template of the reports: values are escaped unless they are markup built by the template itself.
import { expect, test } from 'vitest';
import { html, joinLines, page, trusted } from '../../src/report/html.ts';

const hostile = `<script>alert('x')</script> & "quoted"`;

test('an interpolated value is escaped, in text and in attributes', () => {
  expect(html`<p title="${hostile}">${hostile}</p>`.text).toBe(
    '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;</p>',
  );
});

test('an array of values is escaped element by element, and nested templates are not escaped twice', () => {
  const items = ['<b>', 'a & b'];
  expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.text).toBe('<ul><li>&lt;b&gt;</li><li>a &amp; b</li></ul>');
  expect(html`<p>${items}</p>`.text).toBe('<p>&lt;b&gt;a &amp; b</p>');
});

test('null, undefined and false write nothing; numbers write themselves', () => {
  expect(html`<p>${null}${undefined}${false}${0}${12.5}</p>`.text).toBe('<p>012.5</p>');
});

test('only trusted() markup passes as it is', () => {
  expect(html`<svg>${trusted('<path d="M0,0"/>')}</svg>`.text).toBe('<svg><path d="M0,0"/></svg>');
  expect(joinLines([html`<a>`, html`<b>`]).text).toBe('<a>\n<b>');
});

test('the page shell forbids every fetch and escapes its title', () => {
  const out = page({ title: 'Risk: <x>', css: 'p{color:red}', body: html`<p>hi</p>` });
  expect(out).toBe(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Risk: &lt;x&gt;</title>
<style>p{color:red}</style>
</head>
<body>
<p>hi</p>
</body>
</html>
`);
});
