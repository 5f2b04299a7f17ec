import type { ThemeConfig } from 'antd';

/**
 * Government blue with text and link colours that keep a contrast of at least 4.5:1 on
 * white (WCAG 2.1 AA): #1d4ed8 is 6.7:1; antd's default #1677ff is 4.2:1 and fails.
 */
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1d4ed8',
    colorLink: '#1d4ed8',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    borderRadius: 6,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Segoe UI', Roboto, sans-serif",
  },
};
