from servicekit.service import main
from services.review.app import build

if __name__ == "__main__":
    main(build)
