import { useEffect, useMemo, useState } from 'preact/hooks';
import { listUnits, updateUnit } from '../api.js';
import { t } from '../i18n.js';
import { flattenTree } from '../units.js';
import { ErrorAlert } from '../components/ErrorAlert.jsx';
import { Page } from '../components/Page.jsx';
import { UnitForm } from '../components/UnitForm.jsx';

function upsert(list, unit) {
  return list.some((u) => u.id === unit.id) ? list.map((u) => (u.id === unit.id ? unit : u)) : [...list, unit];
}

/** Organisation tree of any depth: create, edit, disable/enable units. */
export function AdminUnits() {
  const [units, setUnits] = useState(null);
  const [error, setError] = useState(null);
  const [form, setForm] = useState(null); // {unit} to edit, or {parentId} to create

  useEffect(() => {
    listUnits().then(setUnits, setError);
  }, []);
  const rows = useMemo(() => flattenTree(units || []), [units]);

  const toggle = async (unit) => {
    setError(null);
    try {
      const saved = await updateUnit(unit.id, { disabled: !unit.disabled });
      setUnits((list) => upsert(list, saved));
    } catch (err) {
      setError(err);
    }
  };
  const onSaved = (saved) => {
    setForm(null);
    setUnits((list) => upsert(list, saved));
  };

  const actions = (
    <button type="button" class="btn btn-primary" data-testid="unit-create" onClick={() => setForm({ parentId: null })}>
      {t('units.create')}
    </button>
  );
  return (
    <Page title={t('units.title')} actions={actions}>
      <ErrorAlert error={error} testId="page-error" />
      {units === null ? (
        !error && <p class="loading" role="status">{t('app.loading')}</p>
      ) : (
        <>
          <p class="muted">{t('units.count', { count: units.length })}</p>
          <div class="table-wrap">
            <table class="table tree" data-testid="unit-tree">
              <thead>
                <tr>
                  <th scope="col">{t('common.name')}</th>
                  <th scope="col">{t('common.kind')}</th>
                  <th scope="col">{t('common.code')}</th>
                  <th scope="col">{t('common.status')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.length === 0 && (
                  <tr><td colSpan={5} class="empty">{t('units.empty')}</td></tr>
                )}
                {rows.map(({ unit, depth }) => (
                  <tr key={unit.id} data-testid="unit-row" data-unit-id={unit.id} data-depth={depth}
                    class={unit.disabled ? 'is-disabled' : undefined}>
                    <th scope="row" class="tree-name" style={{ '--depth': depth }}>
                      <span class={depth ? 'tree-branch' : undefined}>{unit.name}</span>
                    </th>
                    <td><span class={`badge kind-${unit.kind}`}>{t(`kind.${unit.kind}`)}</span></td>
                    <td><code>{unit.code}</code></td>
                    <td>{unit.disabled ? t('common.disabled') : t('common.active')}</td>
                    <td>
                      <div class="row-actions">
                        <button type="button" class="btn btn-small" data-testid="unit-edit" onClick={() => setForm({ unit })}>
                          {t('common.edit')}
                        </button>
                        <button type="button" class="btn btn-small" data-testid="unit-add-child" onClick={() => setForm({ parentId: unit.id })}>
                          {t('units.addChild')}
                        </button>
                        <button type="button" class="btn btn-small" data-testid="unit-toggle" onClick={() => toggle(unit)}>
                          {unit.disabled ? t('common.enable') : t('common.disable')}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {form && (
        <UnitForm unit={form.unit} parentId={form.parentId} units={units || []} onSaved={onSaved} onClose={() => setForm(null)} />
      )}
    </Page>
  );
}
