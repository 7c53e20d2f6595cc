/**
 * Pages: Eta templates (src/web/views, auto-escaped) inside one layout. Every page gets `it`
 * with its own data plus `it.page`: title, who is signed in, the library, the CSRF token for
 * its forms, the navigation, a notice and the text limits (`it.page.limits`). API requests never render pages.
 */
import { TEXT_LIMITS } from '../domain/text-limits.ts';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { countOf } from '../domain/words.ts';
import { rangeText, shownZone, zonedTime } from '../presenters/format.ts';
import { VIEWS_DIR } from './assets.ts';
import { escapeHtml } from './html.ts';
import { PAGE_NAMES, PREFERENCES_PATH } from './page-names.ts';

/**
 * Messages shown after a redirect (`?notice=key`), by key. Only known keys show: a crafted
 * link cannot put words of its own on our page. Route modules add theirs with defineNotices.
 */
const NOTICES = new Map<string, string>();

/** Adds notice messages (key → sentence) for `reply.redirect('/x?notice=key')`. */
export function defineNotices(notices: Record<string, string>): void {
  for (const [k, v] of Object.entries(notices)) NOTICES.set(k, v);
}

/** Whether a request is for the JSON API (errors as JSON, no redirects to /login). */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url === '/api/v1' || request.url.startsWith('/api/');
}

/** One entry of the navigation. */
interface NavItem {
  href: string;
  label: string;
  /** A count shown beside the label (open conflicts), when there is one. */
  count?: number;
  /** What the count counts, for screen readers ("3 open"). */
  countLabel?: string;
  /** The badge's test hook. */
  countTest?: string;
}

/** The navigation for whoever is signed in. */
function navOf(request: FastifyRequest): NavItem[] {
  const p = request.principal;
  if (p?.kind === 'patron') return [{ href: '/me', label: 'My record' }];
  if (p?.kind !== 'staff') return [];
  const items: NavItem[] = [
    { href: '/', label: PAGE_NAMES.home },
    { href: '/patrons', label: PAGE_NAMES.patrons },
    { href: '/sites', label: PAGE_NAMES.sites },
    {
      href: '/operations',
      label: PAGE_NAMES.operations,
      count: request.heldSyncs,
      countLabel: 'waiting for review',
      countTest: 'nav-held',
    },
    // SPEC §3.9: the queue, with what waits for a person (server.ts counts it for staff pages).
    { href: '/conflicts', label: PAGE_NAMES.conflicts, count: request.openConflicts, countLabel: 'open', countTest: 'nav-count' },
  ];
  if (p.role === 'admin') {
    // SIS Integrations, Schedule and New patrons are one menu entry, "Preferences" (SPEC §2
    // "Preferences › SIS Integrations"), whose page lists them.
    items.push(
      { href: PREFERENCES_PATH, label: PAGE_NAMES.preferences },
      { href: '/admin/users', label: PAGE_NAMES.staff },
      { href: '/admin/tokens', label: PAGE_NAMES.tokens },
      { href: '/admin/webhooks', label: PAGE_NAMES.webhooks },
    );
  }
  return items;
}

/** What a sideways-scrolling region's label ends with: people who cannot see it scroll hear it. */
export const SCROLLS_SIDEWAYS = '(scrolls sideways)';

/**
 * The opening tag of the one element allowed to be wider than the screen: a table wide by
 * nature, in a region that scrolls sideways and says so (close it with `</div>`). Every page
 * must fit the window, "except inside a table that says it scrolls": a named region (landmark)
 * whose label ends "(scrolls sideways)", and `tabindex="0"` so a keyboard can scroll it (WCAG
 * 2.1.1). Views write `<%~ it.page.tableScroll('Operations') %>`; the look is `.table-scroll`
 * in style.css.
 */
export function tableScroll(label: string): string {
  const text = escapeHtml(`${label} ${SCROLLS_SIDEWAYS}`);
  return `<div class="table-scroll" role="region" aria-label="${text}" tabindex="0">`;
}

/** Builds the page renderer (one Eta instance, templates cached outside development). */
export function pageRenderer(options: { cache: boolean }) {
  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: options.cache, autoTrim: false });
  return function page(this: FastifyReply, view: string, data: Record<string, unknown> = {}, status = 200): FastifyReply {
    const request = this.request;
    const principal = request.principal;
    // Every time on a page is in the library's zone (SPEC §3.7: never a silent UTC), one place.
    const zone = shownZone(request.library?.timezone);
    const page = {
      zone,
      time: (iso: string | null) => zonedTime(iso, zone),
      // Counts in words, one helper for every page: "1 patron", never "patron(s)" or "1 lines".
      count: countOf,
      range: rangeText,
      title: String(data.title ?? 'Rollcall'),
      user: principal?.kind === 'staff' ? { name: principal.user.displayName || principal.user.username, role: principal.role } : null,
      patron: principal?.kind === 'patron',
      library: request.library ? { code: request.library.code, name: request.library.name } : null,
      csrf: this.generateCsrf(),
      nav: navOf(request),
      path: request.url.split('?')[0],
      // Every form's maxlength and "up to N characters" hint come from the one list of limits.
      limits: TEXT_LIMITS,
      tableScroll,
      notice: NOTICES.get(String((request.query as Record<string, unknown> | undefined)?.notice ?? '')) ?? '',
    };
    const html = eta.render(view, { ...data, page });
    return this.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  };
}
