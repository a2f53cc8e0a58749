import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'kaizen:public';

/** Opens a route to anonymous callers; every other route needs a caller (default deny). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
