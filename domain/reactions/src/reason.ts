import { NonEmptyString } from '@meridian/kernel';

/** A command's reason from text a reaction composed: cut to the 500 characters a NonEmptyString holds; none if blank. */
export const reasonOf = (text: string): { readonly reason?: NonEmptyString } => {
  const cut = text.slice(0, 500);
  return NonEmptyString.is(cut) ? { reason: cut } : {};
};
