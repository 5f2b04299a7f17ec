import { Component, Suspense, lazy, type ErrorInfo, type ReactNode } from 'react';

// Loaded only when something fails: the result page's pictures stay out of the first download.
const ProblemPage = lazy(() => import('./problem.tsx').then((m) => ({ default: m.ProblemPage })));

interface BoundaryState {
  error: unknown;
}

/** Catches a render failure below it and shows ProblemPage instead of an empty screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: undefined };
  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error };
  }
  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.warn('render failed', error, info.componentStack);
  }
  override render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <Suspense fallback={null}>
        <ProblemPage error={this.state.error} />
      </Suspense>
    );
  }
}
