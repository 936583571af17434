/** The app shell: header navigation and the page the URL names. Every page reads the API; nothing writes. */
import { render } from 'preact';
import { Link } from './components/link';
import { match, useLocation } from './router';
import { RunsPage } from './pages/runs';
import { RunPage } from './pages/run';
import { ComparePage } from './pages/compare';
import { SweepsPage } from './pages/sweeps';
import { SweepPage } from './pages/sweep';
import { ModelsPage } from './pages/models';
import { ModelPage } from './pages/model';
import './styles.css';

function Page() {
  const { path, query } = useLocation();
  let params: Record<string, string> | null;
  if ((params = match('/', path))) return <RunsPage query={query} />;
  if ((params = match('/runs/:id', path))) return <RunPage id={Number(params.id)} />;
  if ((params = match('/compare', path))) return <ComparePage query={query} />;
  if ((params = match('/sweeps', path))) return <SweepsPage />;
  if ((params = match('/sweeps/:id', path))) return <SweepPage id={Number(params.id)} />;
  if ((params = match('/models', path))) return <ModelsPage />;
  if ((params = match('/models/:name', path))) return <ModelPage name={params.name} />;
  return <p class="error">No page at {path}. <Link href="/">Back to the runs</Link>.</p>;
}

function App() {
  const { path } = useLocation();
  const section = path.startsWith('/sweeps') ? 'sweeps' : path.startsWith('/models') ? 'models' : path.startsWith('/compare') ? 'compare' : 'runs';
  return (
    <>
      <header class="top">
        <Link href="/" class="brand">labbook</Link>
        <nav>
          <Link href="/" class={section === 'runs' ? 'active' : ''}>Runs</Link>
          <Link href="/sweeps" class={section === 'sweeps' ? 'active' : ''}>Sweeps</Link>
          <Link href="/models" class={section === 'models' ? 'active' : ''}>Models</Link>
        </nav>
      </header>
      <main>
        <Page />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
