import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { common } from '../shared/messages.ts';

/** A portal address that leads nowhere. */
export default function NotFound() {
  const c = useT(common);
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={<h1 style={{ fontSize: 24, margin: 0 }}>{c('notFoundTitle')}</h1>}
      subTitle={c('notFoundText')}
      extra={
        <Button type="primary" onClick={() => void navigate('/')}>
          {c('home')}
        </Button>
      }
    />
  );
}
