// Runs first in <body> so GOV.UK Frontend's JavaScript-only styles apply
// before the page paints; a file rather than an inline snippet so the
// Content-Security-Policy can forbid inline script.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
