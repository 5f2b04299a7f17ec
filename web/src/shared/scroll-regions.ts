/**
 * antd's scrolling tables put their rows in a container the keyboard cannot reach: a table
 * wider than a phone could then be scrolled only by touch or mouse (WCAG 2.1.1). Such
 * containers are made focusable (arrow keys scroll a focused one) while they scroll, and
 * given back when they no longer do; checked once per frame after the page changes.
 */
const SCROLLERS = '.ant-table-content, .ant-table-body';
const MARK = 'data-tb-scroll-region';

function update(root: HTMLElement) {
  for (const element of root.querySelectorAll<HTMLElement>(SCROLLERS)) {
    const scrolls = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight;
    if (scrolls && !element.hasAttribute('tabindex')) {
      element.tabIndex = 0;
      element.setAttribute(MARK, '');
    } else if (!scrolls && element.hasAttribute(MARK)) {
      element.removeAttribute('tabindex');
      element.removeAttribute(MARK);
    }
  }
}

export function keepScrollRegionsFocusable(root: HTMLElement): void {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      update(root);
    });
  };
  new MutationObserver(schedule).observe(root, { subtree: true, childList: true });
  window.addEventListener('resize', schedule);
}
