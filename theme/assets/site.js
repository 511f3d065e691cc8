/* OKpay Help Center: progressive enhancement only. Every page works without this file.
 * Loaded with `defer`. Later work adds search suggestions and inline feedback here. */
'use strict';

// Lets the stylesheet tell "scripting available" apart from the no-JS baseline.
document.documentElement.classList.add('js');
