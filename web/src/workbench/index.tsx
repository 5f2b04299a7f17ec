import { Spin } from 'antd';
import { Suspense, lazy } from 'react';
import { Route, Routes } from 'react-router';
import { WorkbenchLayout } from './layout.tsx';
import './workbench.css';

/** The staff workbench: task lists, a case with its materials and actions; sign-in with username and password. */
const Login = lazy(() => import('./login.tsx'));
const TaskList = lazy(() => import('./task-list.tsx'));
const CaseDetail = lazy(() => import('./case-detail.tsx'));
const Appointments = lazy(() => import('./appointments.tsx'));

const loading = <Spin style={{ display: 'block', margin: '64px auto' }} />;

export default function Workbench() {
  return (
    <Suspense fallback={loading}>
      <Routes>
        <Route path="login" element={<Login />} />
        <Route
          path="*"
          element={
            <WorkbenchLayout>
              <Suspense fallback={loading}>
                <Routes>
                  <Route index element={<TaskList />} />
                  <Route path="cases/:id" element={<CaseDetail />} />
                  <Route path="appointments" element={<Appointments />} />
                  <Route path="*" element={<TaskList />} />
                </Routes>
              </Suspense>
            </WorkbenchLayout>
          }
        />
      </Routes>
    </Suspense>
  );
}
