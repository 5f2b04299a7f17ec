import { Route, Routes } from 'react-router';
import Bundles from './bundles.tsx';
import ItemPage from './item-page.tsx';
import ItemsList from './items-list.tsx';

/** The console's catalog: items (/console/catalog), one item (/console/catalog/:code), bundles. */
export default function Catalog() {
  return (
    <Routes>
      <Route index element={<ItemsList />} />
      <Route path="bundles" element={<Bundles />} />
      <Route path=":code" element={<ItemPage />} />
    </Routes>
  );
}
