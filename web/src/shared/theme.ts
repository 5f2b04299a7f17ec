import type { ThemeConfig } from 'antd';

/**
 * The text of preset-coloured tags: shade 8 (shade 9 for gold), at least 4.5:1 on shade 1.
 * Set under both of antd's names for a shade (green7 and the legacy green-7), which are
 * one CSS variable: the legacy one, written last, would otherwise undo the change.
 */
const presetTagText = Object.fromEntries(
  Object.entries({
    blue: '#003eb3',
    cyan: '#006d75',
    geekblue: '#10239e',
    gold: '#874d00',
    green: '#237804',
    lime: '#3f6600',
    magenta: '#9e1068',
    orange: '#ad4e00',
    pink: '#9e1068',
    purple: '#391085',
    red: '#a8071a',
    volcano: '#ad2102',
    yellow: '#876800',
  }).flatMap(([colour, value]) => [
    [`${colour}7`, value],
    [`${colour}-7`, value],
  ]),
);

/**
 * Government blue with text and link colours that keep a contrast of at least 4.5:1 on
 * white and on their tinted backgrounds (WCAG 2.1 AA): #1d4ed8 is 6.7:1, where antd's
 * default #1677ff is 4.2:1. antd's status colours (#52c41a green is 2.3:1, #ff4d4f red
 * 3.3:1), tertiary text (labels, 3.4:1) and the text of its coloured tags (shade 7 on
 * shade 1, e.g. 3.6:1 for green) fail too; these are darker, each checked by axe-core
 * in the browser tests.
 */
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1d4ed8',
    colorInfo: '#1d4ed8',
    colorLink: '#1d4ed8',
    // Darker, not lighter, on hover and press: antd's lighter #4373e6 is 4.3:1.
    colorPrimaryHover: '#1e40af',
    colorPrimaryActive: '#1e3a8a',
    colorLinkHover: '#1e40af',
    colorLinkActive: '#1e3a8a',
    colorPrimaryTextHover: '#1e40af',
    colorInfoTextHover: '#1e40af',
    colorSuccess: '#15803d',
    // antd derives grey-green and beige tints from these darker seeds: light tints instead.
    colorSuccessBg: '#f0fdf4',
    colorSuccessBgHover: '#dcfce7',
    colorSuccessBorder: '#86efac',
    colorSuccessBorderHover: '#4ade80',
    colorSuccessHover: '#166534',
    colorSuccessTextHover: '#166534',
    colorWarning: '#b45309',
    colorWarningBg: '#fffbeb',
    colorWarningBgHover: '#fef3c7',
    colorWarningBorder: '#fcd34d',
    colorWarningBorderHover: '#fbbf24',
    colorWarningHover: '#92400e',
    colorWarningTextHover: '#92400e',
    colorError: '#b91c1c',
    colorErrorHover: '#991b1b',
    colorErrorActive: '#7f1d1d',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    ...presetTagText,
    borderRadius: 6,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Segoe UI', Roboto, sans-serif",
  },
};
