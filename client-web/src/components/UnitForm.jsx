import { useMemo, useState } from 'preact/hooks';
import { UNIT_KINDS, createUnit, updateUnit } from '../api.js';
import { t } from '../i18n.js';
import { subtreeIds } from '../units.js';
import { Dialog } from './Dialog.jsx';
import { ErrorAlert, invalidFields } from './ErrorAlert.jsx';
import { Field } from './Field.jsx';
import { UnitSelect } from './UnitSelect.jsx';

/** A new unit under the host defaults to a commune; deeper down, to "other". */
function defaultKind(units, parentId) {
  if (parentId === null) return 'host';
  return units.find((u) => u.id === parentId)?.kind === 'host' ? 'commune' : 'other';
}

/**
 * Create a unit (unit = null, optional parentId) or edit one.
 * A unit cannot be moved under itself or its own descendants.
 */
export function UnitForm({ unit, parentId = null, units, onSaved, onClose }) {
  const [name, setName] = useState(unit?.name ?? '');
  const [kind, setKind] = useState(unit?.kind ?? defaultKind(units, parentId));
  const [code, setCode] = useState(unit?.code ?? '');
  const [parent, setParent] = useState(unit ? unit.parent_id : parentId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const exclude = useMemo(() => (unit ? subtreeIds(units, unit.id) : undefined), [units, unit]);

  const invalid = invalidFields(error);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const data = { name: name.trim(), kind, code: code.trim(), parent_id: parent };
    try {
      onSaved(unit ? await updateUnit(unit.id, data) : await createUnit(data));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={t(unit ? 'units.editTitle' : 'units.createTitle')} onClose={onClose} testId="unit-form">
      <form class="form" onSubmit={submit}>
        <ErrorAlert error={error} testId="form-error" />
        <Field label={t('common.name')}>
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required autofocus aria-invalid={invalid('name')} />
        </Field>
        <Field label={t('common.kind')}>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)} aria-invalid={invalid('kind')}>
            {UNIT_KINDS.map((k) => <option key={k} value={k}>{t(`kind.${k}`)}</option>)}
          </select>
        </Field>
        <Field label={t('common.code')} hint={t('units.codeHint')}>
          <input name="code" value={code} onInput={(e) => setCode(e.currentTarget.value)} required
            autocapitalize="none" spellcheck={false} aria-invalid={invalid('code')} />
        </Field>
        <Field label={t('units.parent')}>
          <UnitSelect name="parent_id" units={units} value={parent} onChange={setParent}
            exclude={exclude} emptyLabel={t('units.noParent')} aria-invalid={invalid('parent_id')} />
        </Field>
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
