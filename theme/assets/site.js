/* OKpay Help Center: progressive enhancement only. Every page works without this file.
 * Loaded with `defer`. */
'use strict';

// Lets the stylesheet tell "scripting available" apart from the no-JS baseline.
document.documentElement.classList.add('js');

/* ---- Search suggestions ------------------------------------------------------------------
 * Every search box (form.search-form > input.search-input) becomes an ARIA 1.2 combobox with
 * a listbox popup: after 2 characters (debounced), the top 5 answers of
 * {data-suggest-url}?q=…&limit=5 appear under the box. ArrowDown/ArrowUp move the active
 * option, Enter opens it (or submits the form when none is active), Escape closes the popup,
 * a click opens an option. A polite live region says how many suggestions there are, in the
 * page's language (the strings come from data attributes of the form).
 *
 * CSP: no inline style, no eval, no innerHTML; every node is built with createElement and
 * textContent. Only the title and category of a hit are shown; its snippet (HTML) is not used.
 * Without this script (or when fetch fails) the form simply submits to /{lang}/search. */
(function () {
  var MIN_CHARS = 2; // code points, so that "密码" (two characters) already asks
  var DEBOUNCE_MS = 150;
  var LIMIT = 5;
  var uid = 0;

  // Only our own pages: a path on this site, never "//host", "javascript:" or a full URL.
  function safePath(u) {
    return typeof u === 'string' && u.charAt(0) === '/' && u.charAt(1) !== '/' && u.charAt(1) !== '\\';
  }

  function codePoints(s) {
    return Array.from ? Array.from(s).length : s.length;
  }

  function format(template, n) {
    return String(template || '').replace('{n}', String(n));
  }

  function Suggest(form, input) {
    var data = form.dataset;
    this.form = form;
    this.input = input;
    this.url = data.suggestUrl || (form.getAttribute('action') || '') + '.json';
    this.strings = {
      one: data.suggestOne || '1',
      many: data.suggestMany || '{n}',
      none: data.suggestNone || '0',
      label: data.suggestLabel || '',
      sep: data.suggestSeparator || ', ',
    };
    this.items = [];      // the suggestions shown: [{title, url, category}]
    this.active = -1;     // index of the active option, -1 when none
    this.seq = 0;         // number of the latest request; older answers are ignored
    this.asked = null;    // the text of the latest request (no second request for it)
    this.answered = null; // the text whose answer is in this.items
    this.timer = 0;
    this.dismissed = false; // Escape closed the popup: stay closed until the text changes
    this.composing = false; // an input method (pinyin, …) is composing text

    var base = input.id || 'search-input-' + (++uid);
    if (!input.id) input.id = base;

    // Wrap the box so that the popup can sit right under it. Moving an element blurs it: give
    // the focus back to someone who started typing before this script ran.
    var focused = document.activeElement === input;
    var start = input.selectionStart, end = input.selectionEnd;
    var combo = document.createElement('div');
    combo.className = 'search-combo';
    input.parentNode.insertBefore(combo, input);
    combo.appendChild(input);
    if (focused) {
      input.focus();
      try { input.setSelectionRange(start, end); } catch (err) { /* not a text field */ }
    }

    var list = document.createElement('ul');
    list.id = base + '-suggestions';
    list.className = 'search-suggestions';
    list.setAttribute('role', 'listbox');
    if (this.strings.label) list.setAttribute('aria-label', this.strings.label);
    list.hidden = true;
    combo.appendChild(list);
    this.list = list;

    var live = document.createElement('div');
    live.className = 'visually-hidden search-status';
    live.id = base + '-status';
    live.setAttribute('role', 'status');
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'true');
    form.appendChild(live);
    this.live = live;

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('autocomplete', 'off');

    var self = this;
    input.addEventListener('input', function (e) { self.onInput(e); });
    input.addEventListener('keydown', function (e) { self.onKeydown(e); });
    input.addEventListener('compositionstart', function () { self.composing = true; });
    input.addEventListener('compositionend', function () {
      self.composing = false;
      self.onInput({});
    });
    input.addEventListener('blur', function () { self.close(); });
    // Keep the focus in the box while the mouse is pressed on the popup, then open the option.
    list.addEventListener('mousedown', function (e) { e.preventDefault(); });
    list.addEventListener('click', function (e) {
      var li = e.target.closest ? e.target.closest('[role="option"]') : null;
      if (!li || !list.contains(li)) return;
      self.go(Number(li.dataset.index));
    });
  }

  Suggest.prototype.query = function () {
    return this.input.value.replace(/\s+/g, ' ').trim();
  };

  Suggest.prototype.onInput = function (e) {
    if (this.composing || (e && e.isComposing)) return;
    this.dismissed = false;
    this.setActive(-1);
    clearTimeout(this.timer);
    var q = this.query();
    if (codePoints(q) < MIN_CHARS) {
      this.seq++; // an answer still on its way is stale now
      this.asked = null;
      this.close();
      this.announce('');
      return;
    }
    var self = this;
    this.timer = setTimeout(function () { self.request(q); }, DEBOUNCE_MS);
  };

  Suggest.prototype.request = function (q) {
    if (q === this.asked) {
      // The same text as the last request: show its answer again if there is one.
      if (q === this.answered && !this.dismissed) this.render(!this.isOpen());
      return;
    }
    this.asked = q;
    var seq = ++this.seq;
    var self = this;
    var url = this.url + '?q=' + encodeURIComponent(q) + '&limit=' + LIMIT;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (json) {
        if (seq !== self.seq) return; // a later request was sent (or the box was emptied)
        var results = json && Array.isArray(json.results) ? json.results : [];
        self.items = results.filter(function (r) {
          return r && typeof r.title === 'string' && safePath(r.url);
        }).slice(0, LIMIT).map(function (r) {
          return { title: r.title, url: r.url, category: typeof r.category === 'string' ? r.category : '' };
        });
        self.answered = q;
        // Shown only while the box still has focus and holds the text that was asked for.
        if (!self.dismissed && document.activeElement === self.input && q === self.query()) self.render(true);
      })
      .catch(function () {
        if (seq !== self.seq) return;
        // No suggestions; the form still works. Let the same text be asked again later.
        self.asked = null;
        self.answered = null;
        self.items = [];
        self.close();
      });
  };

  // Build the options from this.items and open the popup (or close it when there are none).
  Suggest.prototype.render = function (speak) {
    var list = this.list;
    while (list.firstChild) list.removeChild(list.firstChild);
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    var n = this.items.length;
    for (var i = 0; i < n; i++) {
      var it = this.items[i];
      var li = document.createElement('li');
      li.id = list.id + '-' + i;
      li.className = 'search-suggestion';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.index = String(i);
      li.dataset.url = it.url;
      var title = document.createElement('span');
      title.className = 'search-suggestion-title';
      title.textContent = it.title;
      li.appendChild(title);
      if (it.category) {
        var cat = document.createElement('span');
        cat.className = 'search-suggestion-category';
        var sep = document.createElement('span');
        sep.className = 'visually-hidden';
        sep.textContent = this.strings.sep;
        cat.appendChild(sep);
        cat.appendChild(document.createTextNode(it.category));
        li.appendChild(cat);
      }
      list.appendChild(li);
    }
    if (n > 0) this.open();
    else this.close();
    if (speak) {
      var s = this.strings;
      this.announce(n === 0 ? s.none : n === 1 ? format(s.one, 1) : format(s.many, n));
    }
  };

  // Say text in the live region. The same text twice in a row would not be announced again,
  // so a no-break space is toggled at its end.
  Suggest.prototype.announce = function (text) {
    var cur = this.live.textContent;
    if (text && cur.replace(/\u00a0$/, '') === text && !/\u00a0$/.test(cur)) text += '\u00a0';
    this.live.textContent = text;
  };

  Suggest.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Suggest.prototype.open = function () {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  };

  Suggest.prototype.close = function () {
    this.setActive(-1);
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  };

  Suggest.prototype.setActive = function (i) {
    var prev = this.active >= 0 ? this.list.children[this.active] : null;
    if (prev) {
      prev.setAttribute('aria-selected', 'false');
      prev.classList.remove('is-active');
    }
    var next = i >= 0 ? this.list.children[i] : null;
    this.active = next ? i : -1;
    if (next) {
      next.setAttribute('aria-selected', 'true');
      next.classList.add('is-active');
      this.input.setAttribute('aria-activedescendant', next.id);
      if (next.scrollIntoView) next.scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  };

  Suggest.prototype.move = function (delta) {
    var n = this.list.children.length;
    if (!n) return;
    var i;
    if (this.active < 0) i = delta > 0 ? 0 : n - 1;
    else i = (this.active + delta + n) % n;
    this.setActive(i);
  };

  Suggest.prototype.go = function (i) {
    var it = this.items[i];
    if (!it || !safePath(it.url)) return;
    this.close();
    window.location.assign(it.url);
  };

  Suggest.prototype.onKeydown = function (e) {
    // Keys that confirm or navigate an input method's candidates are not ours.
    if (e.isComposing || e.keyCode === 229 || e.ctrlKey || e.metaKey) return;
    var open = this.isOpen();
    switch (e.key) {
    case 'ArrowDown':
    case 'Down':
      if (!open) {
        // Reopen the answer for the text in the box, if there is one.
        var q = this.query();
        if (codePoints(q) < MIN_CHARS) return;
        this.dismissed = false;
        if (this.answered === q) {
          this.render(true);
          if (!e.altKey) this.move(1);
        } else if (q !== this.asked) {
          // E.g. the query kept in the box of the results page: ask now, show when answered.
          clearTimeout(this.timer);
          this.request(q);
        }
      } else if (!e.altKey) {
        this.move(1);
      }
      e.preventDefault();
      break;
    case 'ArrowUp':
    case 'Up':
      if (!open) return;
      this.move(-1);
      e.preventDefault();
      break;
    case 'Enter':
      if (open && this.active >= 0) {
        e.preventDefault();
        this.go(this.active);
      }
      // Otherwise the form submits as it would without this script.
      break;
    case 'Escape':
    case 'Esc':
      if (open) {
        // Close the popup and keep the text (a search box would otherwise clear itself).
        e.preventDefault();
        this.dismissed = true;
        clearTimeout(this.timer);
        this.close();
        this.announce('');
      }
      break;
    case 'Tab':
      this.close();
      break;
    default:
      break;
    }
  };

  function init() {
    if (!window.fetch || !document.querySelectorAll) return;
    var forms = document.querySelectorAll('form.search-form');
    for (var i = 0; i < forms.length; i++) {
      var input = forms[i].querySelector('input.search-input');
      if (input && !input.hasAttribute('role')) new Suggest(forms[i], input);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());

/* ---- Article feedback --------------------------------------------------------------------
 * "Was this helpful?" (form.feedback on every article) is sent with fetch and answered in
 * place: the portal returns {"ok","counted","message"} for format=json, and the form is
 * replaced by the message in a polite live region. Without this script, or when fetch fails,
 * the form posts as usual and the thank-you page leads back to the article.
 * CSP: no inline style, no innerHTML; the message is set with textContent. */
(function () {
  var forms = document.querySelectorAll('form.feedback');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function (ev) {
      if (!window.fetch || !window.URLSearchParams || !window.FormData) return;
      var action = form.getAttribute('action') || '';
      if (action.charAt(0) !== '/' || action.charAt(1) === '/') return;
      ev.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      body.append('format', 'json');
      var button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = true;
      fetch(action, {
        method: 'POST',
        body: body,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
      }).then(function (res) {
        return res.json().then(function (data) { return { res: res, data: data }; });
      }).then(function (r) {
        if (!r.data || typeof r.data.message !== 'string') throw new Error('bad answer');
        var done = document.createElement('p');
        done.className = 'feedback-done';
        done.setAttribute('role', 'status');
        done.textContent = r.data.message;
        if (r.res.ok) {
          form.replaceChildren(done);
        } else {
          if (button) button.disabled = false;
          var old = form.querySelector('.feedback-done');
          if (old) old.remove();
          form.appendChild(done);
        }
      }).catch(function () {
        // The portal could not be reached from script: send the form the ordinary way.
        if (button) button.disabled = false;
        form.submit();
      });
    });
  });
})();
