/**
 * The two checks every page gets, at each viewport (a desk and a phone):
 *
 *  - accessibility: axe-core (WCAG 2.0/2.1 A and AA rules); a serious or critical violation is a
 *    problem, named by rule, element and page;
 *  - no sideways scrolling: "fails when a page scrolls sideways (document width > viewport),
 *    except inside a table that says it scrolls" — the one way a page may be wider than the
 *    screen is the shared `.table-scroll` region (style.css), which must say so to everyone:
 *    `role="region"`, an `aria-label` ending "(scrolls sideways)" and `tabindex="0"` (so a
 *    keyboard can scroll it). Any other element that scrolls sideways is a problem too.
 *
 * Each check returns the problems as one line each; the test collects them all and fails once
 * with the whole list, so one run shows everything to fix.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { SCROLLS_SIDEWAYS } from '../../src/web/render.ts';

/** A laptop and a phone (the sizes the pages promise to fit). */
export const VIEWPORTS = [
  { name: 'desk', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** The axe rule sets checked: WCAG 2.0 and 2.1, levels A and AA. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The impacts that fail a page (moderate and minor ones are left to judgement). */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** Axe's serious and critical violations on the page as it is, one line per rule. */
export async function accessibilityProblems(page: Page, where: string): Promise<string[]> {
  // Only violations are read, so axe is told not to collect the passing and inapplicable nodes
  // (most of its time on a long page).
  const results = await new AxeBuilder({ page })
    .withTags(WCAG_TAGS)
    .options({ resultTypes: ['violations'] })
    .analyze();
  return results.violations
    .filter((v) => FAILING_IMPACTS.has(v.impact ?? ''))
    .map((v) => {
      const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' '));
      const more = v.nodes.length > 3 ? ` (+${v.nodes.length - 3} more)` : '';
      return `${where}: axe ${v.id} (${v.impact}) at ${targets.join(' | ')}${more}: ${v.help}`;
    });
}

/**
 * Runs in the page (plain JavaScript: the project's types have no DOM). Given the label ending,
 * returns one line per problem: each element that scrolls sideways without being a marked
 * region, and the page itself when it is wider than the window, naming what sticks out.
 */
const SIDEWAYS_IN_PAGE = `(label) => {
  const out = [];
  const name = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const test = el.getAttribute('data-test') ? '[data-test=' + el.getAttribute('data-test') + ']' : '';
    return el.tagName.toLowerCase() + id + cls + test;
  };
  const marked = (el) =>
    el.classList.contains('table-scroll') &&
    el.getAttribute('role') === 'region' &&
    el.getAttribute('tabindex') === '0' &&
    (el.getAttribute('aria-label') || '').endsWith(label);
  // Form controls scroll their own text; that is not the page scrolling.
  const CONTROLS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
  const all = Array.from(document.querySelectorAll('body *'));
  for (const el of all) {
    if (CONTROLS.has(el.tagName)) continue;
    const style = getComputedStyle(el);
    const scrolls = (style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !marked(el)) out.push(name(el) + ' scrolls sideways but is not a marked .table-scroll region');
  }
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) {
    // The innermost elements whose right edge passes the window, those outside a region first.
    const past = (el) => el.getBoundingClientRect().right > window.innerWidth + 1;
    const innermost = all.filter((el) => past(el) && !Array.from(el.children).some(past));
    const outside = innermost.filter((el) => !el.closest('.table-scroll'));
    const culprits = (outside.length ? outside : innermost).slice(0, 4).map(name);
    out.push('the page is ' + width + 'px wide in a ' + window.innerWidth + 'px window; sticking out: ' + culprits.join(', '));
  }
  return out;
}`;

/** What sticks out sideways on the page as it is: the page itself, and any unmarked scroller. */
export async function sidewaysProblems(page: Page, where: string): Promise<string[]> {
  const found = (await page.evaluate(`(${SIDEWAYS_IN_PAGE})(${JSON.stringify(SCROLLS_SIDEWAYS)})`)) as string[];
  return found.map((f) => `${where}: ${f}`);
}

/** Both checks at both viewports; the page is left at the first (desk) viewport. */
export async function checkPage(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    const where = `${name} @${vp.width}px (${page.url()})`;
    problems.push(...(await sidewaysProblems(page, where)), ...(await accessibilityProblems(page, where)));
  }
  await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
  return problems;
}
