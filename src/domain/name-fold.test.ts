import { describe, expect, it } from 'vitest';
import { foldName } from './name-fold.ts';

describe('foldName', () => {
  it('lowers plain names', () => {
    expect(foldName('Smith')).toBe('smith');
    expect(foldName("O'BRIEN")).toBe("o'brien");
  });

  it('drops accents and combining marks, precomposed or not', () => {
    expect(foldName('Adébáyọ̀')).toBe('adebayo');
    expect(foldName('ADÉBÁYỌ̀')).toBe('adebayo');
    // The same name typed with separate combining marks (NFD), as some rosters send it.
    expect(foldName('Ade\u0301ba\u0301yo\u0323\u0300')).toBe('adebayo');
    expect(foldName('Núñez')).toBe('nunez');
    expect(foldName('Nguyễn')).toBe('nguyen');
    expect(foldName('Çelik')).toBe('celik');
    expect(foldName('Müller')).toBe('muller');
    expect(foldName('Šťastný')).toBe('stastny');
  });

  it('spells out letters that do not decompose', () => {
    expect(foldName('Østergård')).toBe('ostergard');
    expect(foldName('Łukasiewicz')).toBe('lukasiewicz');
    expect(foldName('Großmann')).toBe('grossmann');
    expect(foldName('GROẞMANN')).toBe('grossmann');
    expect(foldName('Æbeltoft')).toBe('aebeltoft');
    expect(foldName('Đorđević')).toBe('dordevic');
    expect(foldName('Þórður')).toBe('thordur');
    expect(foldName('Yıldız')).toBe('yildiz');
    expect(foldName('İnce')).toBe('ince');
    expect(foldName('Ɓello Ɗanjuma')).toBe('bello danjuma');
    expect(foldName('Kɔfi Mɛnsah')).toBe('kofi mensah');
  });

  it('reads curly apostrophes as the keyboard one', () => {
    expect(foldName('O’Brien')).toBe("o'brien");
  });

  it('leaves scripts without accents as they are (lowered)', () => {
    expect(foldName('Иванов')).toBe('иванов');
    expect(foldName('王')).toBe('王');
  });
});
