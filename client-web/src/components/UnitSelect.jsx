import { t } from '../i18n.js';
import { flattenTree } from '../units.js';

/**
 * <select> over the organisation tree, indented per level.
 * value/onChange use a unit id (number) or null for the empty option.
 */
export function UnitSelect({ units, value, onChange, emptyLabel, exclude, ...rest }) {
  const rows = flattenTree(units).filter(({ unit }) => !exclude?.has(unit.id));
  return (
    <select value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))} {...rest}>
      {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
      {rows.map(({ unit, depth }) => (
        <option key={unit.id} value={unit.id}>
          {'\u00a0\u00a0\u00a0'.repeat(depth) + unit.name + (unit.disabled ? ` (${t('common.disabled')})` : '')}
        </option>
      ))}
    </select>
  );
}
