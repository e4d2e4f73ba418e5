import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en, t, vi } from '../src/i18n.js';

test('vi and en have exactly the same keys', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(vi).sort());
});

test('no translation is empty', () => {
  for (const [lang, table] of Object.entries({ vi, en })) {
    for (const [key, text] of Object.entries(table)) {
      assert.ok(typeof text === 'string' && text.trim() !== '', `${lang}.${key} is empty`);
    }
  }
});

test('vi and en use the same {placeholders}', () => {
  const names = (text) => (text.match(/\{\w+\}/g) || []).sort();
  for (const key of Object.keys(vi)) {
    assert.deepEqual(names(en[key]), names(vi[key]), `placeholders differ for ${key}`);
  }
});

test('t() defaults to Vietnamese and fills placeholders', () => {
  assert.equal(t('login.username'), 'Tên đăng nhập');
  assert.equal(t('home.welcome', { name: 'Nguyễn Văn A' }), 'Xin chào, Nguyễn Văn A');
  assert.equal(t('no.such.key'), 'no.such.key');
});
